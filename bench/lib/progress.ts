import cliProgress from 'cli-progress';

export interface Progress {
  step(label: string): void;
  /** A line that stays above the bar (or on its own when there is no bar). */
  log(line: string): void;
  stop(): void;
}

/**
 * A progress bar on stderr when it is a terminal; otherwise one plain line per finished row,
 * so CI logs show where a run is.
 */
export function createProgress(total: number): Progress {
  let done = 0;
  const started = performance.now();
  if (!process.stderr.isTTY) {
    return {
      step(label) {
        done++;
        const s = ((performance.now() - started) / 1000).toFixed(1);
        process.stderr.write(`[${done}/${total} ${s}s] ${label}\n`);
      },
      log: (line) => process.stderr.write(`${line}\n`),
      stop() {},
    };
  }
  const multi = new cliProgress.MultiBar(
    {
      format: ' {bar} {value}/{total} rows | {duration_formatted} elapsed, ~{eta_formatted} left | {label}',
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  const bar = multi.create(total, 0, { label: 'starting' });
  return {
    step(label) {
      bar.increment({ label });
    },
    log: (line) => multi.log(`${line}\n`),
    stop: () => multi.stop(),
  };
}
