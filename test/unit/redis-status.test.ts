import { describe, expect, it } from 'vitest';
import { persistenceOf } from '../../dist/api/routes/redis.js';
import type { ServerStatus } from '../../dist/redis/server-info.js';

const status = (aofEnabled: boolean, rdbSave: string | undefined): ServerStatus => ({
  version: '7.2.4',
  usedMemory: 1,
  maxmemory: 0,
  maxmemoryPolicy: 'noeviction',
  connectedClients: 1,
  aofEnabled,
  rdbSave,
});

describe('persistenceOf', () => {
  it('names RDB by its save points, AOF by INFO, both, or none', () => {
    expect(persistenceOf(status(false, '3600 1 300 100'))).toBe('rdb');
    expect(persistenceOf(status(true, '3600 1'))).toBe('rdb+aof');
    expect(persistenceOf(status(true, ''))).toBe('aof');
    expect(persistenceOf(status(false, ''))).toBe('none');
    expect(persistenceOf(status(false, '  '))).toBe('none');
  });

  it('says unknown when CONFIG was refused and AOF is off, since RDB cannot be told', () => {
    expect(persistenceOf(status(false, undefined))).toBe('unknown');
    expect(persistenceOf(status(true, undefined))).toBe('aof');
  });
});
