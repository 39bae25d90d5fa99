import '../views.css';
import '../redis-info.css';
import { formatCount } from '../format';
import { redis } from '../model';
import type { RedisServer } from '../types';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${UNITS[unit]}`;
}

const PERSISTENCE: Record<RedisServer['persistence'], string> = {
  rdb: 'RDB snapshots',
  aof: 'AOF',
  'rdb+aof': 'RDB + AOF',
  none: 'none',
  unknown: 'unknown (CONFIG refused)',
};

function Server({ server, label }: { server: RedisServer; label: string | null }) {
  return (
    <div data-testid="redis-server">
      {label && <h3 class="redis-label">{label}</h3>}
      <dl class="levels redis-facts">
        <div>
          <dt>Version</dt>
          <dd data-testid="redis-version">{server.version}</dd>
        </div>
        <div>
          <dt>Memory used</dt>
          <dd data-testid="redis-memory">{formatBytes(server.usedMemory)}</dd>
          <dd class="redis-sub muted" data-testid="redis-maxmemory">
            {server.maxmemory > 0 ? `of ${formatBytes(server.maxmemory)} maxmemory` : 'no maxmemory set'}
          </dd>
        </div>
        <div>
          <dt>Clients</dt>
          <dd data-testid="redis-clients">{formatCount(server.connectedClients)}</dd>
        </div>
        <div>
          <dt>Persistence</dt>
          <dd data-testid="redis-persistence">{PERSISTENCE[server.persistence]}</dd>
        </div>
        <div title={`maxmemory-policy ${server.maxmemoryPolicy}`}>
          <dt>Eviction</dt>
          <dd data-testid="redis-eviction" class={server.evictionOff ? undefined : 'error-text'}>
            {server.evictionOff ? 'off (noeviction)' : `ON: ${server.maxmemoryPolicy}`}
          </dd>
        </div>
      </dl>
    </div>
  );
}

/** The Redis the queues live in: one server, or each master of a cluster. */
export function RedisInfo() {
  const reply = redis.info.value;
  return (
    <section class="panel" aria-labelledby="redis-title" data-testid="redis-panel">
      <div class="panel-head">
        <h2 id="redis-title">Redis</h2>
        {reply?.cluster && <span class="muted">cluster: {reply.servers.length} masters</span>}
      </div>
      {redis.error.value && <p class="error-text">Cannot read the Redis status: {redis.error.value}</p>}
      {reply?.servers.map((server, i) => (
        <Server key={i} server={server} label={reply.cluster ? `Master ${i + 1}` : null} />
      ))}
    </section>
  );
}
