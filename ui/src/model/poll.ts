// A poll loop for the views: runs `tick` now, then `ms` after each tick ends. Returns stop.
export function every(ms: number, tick: (stopped: () => boolean) => Promise<void>): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = async () => {
    await tick(() => stopped);
    if (!stopped) timer = setTimeout(run, ms);
  };
  void run();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
