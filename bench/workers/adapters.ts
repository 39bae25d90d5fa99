import type { Lib } from '../lib/protocol.js';
import type { Adapter } from './adapter.js';

/**
 * Loads only the library asked for, so a child's memory and start-up hold one library, not
 * three.
 */
export async function loadAdapter(lib: Lib): Promise<Adapter> {
  switch (lib) {
    case 'sluice':
      return (await import('./sluice.js')).sluice;
    case 'bullmq':
      return (await import('./bullmq.js')).bullmq;
    case 'bee':
      return (await import('./bee.js')).bee;
  }
}
