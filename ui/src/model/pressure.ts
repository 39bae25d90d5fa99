// The overview's extra panels: latency of the whole queue (the engines' own histograms, GET
// /latency, every 5 s) and waiting jobs by priority level with the rate limit's window (GET
// /levels, every 2 s).
import { signal } from '@preact/signals';
import type { LatencyReply, LevelsReply } from '../api-views';
import { client } from './auth';
import { every, messageOf } from './poll';

export const latency = signal<LatencyReply | null>(null);
export const latencyError = signal<string | null>(null);
export const levels = signal<LevelsReply | null>(null);
export const levelsError = signal<string | null>(null);

export function follow(queue: string): () => void {
  latency.value = null;
  levels.value = null;
  const stopLatency = every(5000, async (stopped) => {
    try {
      const reply = await client.latency(queue);
      if (stopped()) return;
      latency.value = reply;
      latencyError.value = null;
    } catch (error) {
      if (!stopped()) latencyError.value = messageOf(error);
    }
  });
  const stopLevels = every(2000, async (stopped) => {
    try {
      const reply = await client.levels(queue);
      if (stopped()) return;
      levels.value = reply;
      levelsError.value = null;
    } catch (error) {
      if (!stopped()) levelsError.value = messageOf(error);
    }
  });
  return () => {
    stopLatency();
    stopLevels();
  };
}
