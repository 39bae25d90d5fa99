import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Queue } from '../dist/index.js';
import { spawnEngine } from './fixtures/engine-cli.js';
import { handlerPath, queueName, waitFor } from './helpers/index.js';
import { startRedisServer, type TlsFiles } from './helpers/redis-server.js';

/** A throwaway CA and a server certificate for 127.0.0.1, made with openssl. */
function makeCertificates(dir: string): TlsFiles {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=sluice test CA',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.crt'),
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
  );
  writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    file('san.ext'),
    '-out',
    file('server.crt'),
  );
  return { cert: file('server.crt'), key: file('server.key'), ca: file('ca.crt') };
}

describe('TLS', () => {
  it('runs a job through an engine given a rediss:// URL with a password', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-tls-'));
    const files = makeCertificates(dir);
    const server = await startRedisServer({ requirepass: 'tls-s3cret' }, files);
    const url = `rediss://:tls-s3cret@127.0.0.1:${server.port}`;
    const name = queueName('tls');
    const queue = new Queue(name, {
      connection: {
        host: '127.0.0.1',
        port: server.port,
        password: 'tls-s3cret',
        tls: { ca: readFileSync(files.ca) },
      },
    });
    // The CLI takes the CA the way any Node program does: NODE_EXTRA_CA_CERTS.
    const engine = spawnEngine(
      ['--queue', name, '--handler', handlerPath('noop'), '--threads', '1', '--redis', url],
      {
        NODE_EXTRA_CA_CERTS: files.ca,
      },
    );
    try {
      const id = await queue.add({ over: 'tls' });
      await waitFor('the job completed over TLS', async () => (await queue.counts()).completed === 1, 15_000);
      expect(await queue.getJob(id)).toBeUndefined();
      engine.signal('SIGTERM');
      expect(await engine.waitForExit()).toEqual({ code: 0, signal: null });
      expect(engine.output()).not.toContain('tls-s3cret');
    } finally {
      await engine.dispose();
      await queue.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
