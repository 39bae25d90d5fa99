// First step of `npm test`: does this machine have the programs the tests run? As root with
// apt-get it installs the missing Debian packages itself; otherwise it stops, before lint, with the
// command that would. Plain Node, no dependencies: it runs before anything is built.
import { spawnSync } from 'node:child_process';
import { CHROMIUM, CHROMIUM_DEFAULT } from './chromium.mjs';

/** Each program, the command that shows it runs, and the Debian package that has it. */
const NEEDS = [
  // The tests start their own Redis servers, and join some into a cluster with redis-cli.
  { name: 'redis-server', probe: ['redis-server', '--version'], pkg: 'redis-server' },
  { name: 'redis-cli', probe: ['redis-cli', '--version'], pkg: 'redis-tools' },
  // The TLS test makes its certificates with it.
  { name: 'openssl', probe: ['openssl', 'version'], pkg: 'openssl' },
  // The monitor's browser test. Only Debian's own path is something apt can fill.
  {
    name: `chromium (${CHROMIUM})`,
    probe: [CHROMIUM, '--version'],
    pkg: CHROMIUM === CHROMIUM_DEFAULT ? 'chromium' : undefined,
  },
];

/** Whether the command runs and exits 0 (a Chromium that cannot even print its version fails). */
function runs([command, ...args]) {
  return spawnSync(command, args, { stdio: 'ignore', timeout: 30_000 }).status === 0;
}

/** Runs apt-get quietly; its output is shown only when it fails. */
function aptGet(...args) {
  const result = spawnSync('apt-get', args, {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status === 0) return true;
  process.stderr.write(`apt-get ${args.join(' ')} failed:\n${result.stdout ?? ''}${result.stderr ?? ''}\n`);
  return false;
}

const root = process.getuid?.() === 0;
const packagesOf = (needs) => [...new Set(needs.flatMap((need) => (need.pkg ? [need.pkg] : [])))];

let missing = NEEDS.filter((need) => !runs(need.probe));
const installable = packagesOf(missing);
const install = installable.length > 0 && root && runs(['apt-get', '--version']);
if (install) {
  console.log(`installing Debian packages: ${installable.join(' ')}`);
  if (aptGet('update', '-qq')) aptGet('install', '-y', '-qq', ...installable);
  missing = missing.filter((need) => !runs(need.probe));
}

if (missing.length > 0) {
  const lines = [`npm test cannot run here: missing ${missing.map((need) => need.name).join(', ')}.`];
  const packages = packagesOf(missing);
  if (packages.length > 0) {
    const command = `apt-get install -y ${packages.join(' ')}`;
    lines.push(
      install
        ? `${command} did not fix that; see its output above, if any.`
        : `Install: ${root ? '' : 'sudo '}${command}`,
    );
  }
  if (missing.some((need) => need.pkg === undefined)) {
    lines.push(
      `CHROMIUM_PATH=${CHROMIUM} does not run: point it at a Chromium, or unset it to use Debian's chromium at ${CHROMIUM_DEFAULT}.`,
    );
  }
  console.error(lines.join('\n'));
  process.exitCode = 1;
}
