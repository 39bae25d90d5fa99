import { formatTime, fullTime } from '../format';
import { now } from '../model';

/** A time as every view shows it (see formatTime), with the full timestamp on hover. */
export function Time({ ms }: { ms: number | undefined }) {
  if (ms === undefined || !Number.isFinite(ms)) return <>–</>;
  const full = fullTime(ms);
  return (
    <time dateTime={full} title={full}>
      {formatTime(ms, now.value)}
    </time>
  );
}
