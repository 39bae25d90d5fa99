--[[ heartbeat: an engine says it is alive, records a throughput point and checks the epoch.

KEYS[1] engines      ZSET   sluice:{q}:engines      engine id -> last heartbeat (ms, Redis clock)
KEYS[2] engine-info  HASH   sluice:{q}:engine-info  engine id -> JSON description
KEYS[3] history      ZSET   sluice:{q}:history      second -> "second:completed:failed"
KEYS[4] stats        HASH   sluice:{q}:stats        lifetime counters
KEYS[5] epoch        STRING sluice:{q}:epoch        random value set once per life of the queue's data

ARGV[1] engine id
ARGV[2] engine description, a non-empty JSON object (seenAt is prepended here)
ARGV[3] ms after which a silent engine is dropped
ARGV[4] seconds of history to keep
ARGV[5] epoch this engine saw last, '' on its first heartbeat
ARGV[6] a fresh random epoch, used if the key has to be created

Returns { now, status, epoch }
  status 0  the epoch is the one the engine knew (or it adopted the existing one on its first beat)
         1  no epoch existed on the first beat: it was created (a new queue, or data lost before start)
         2  the epoch the engine knew is gone: Redis lost the queue's data; a new one was created
         3  the epoch changed under the engine: another engine saw the loss first

Invariants
  - at most one history point per second, whichever engine writes it; points older than ARGV[4] go
  - engines silent for ARGV[3] ms are removed from both engines and engine-info
]]
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local id = ARGV[1]

redis.call('ZADD', KEYS[1], now, id)
redis.call('HSET', KEYS[2], id, '{"seenAt":' .. now .. ',' .. string.sub(ARGV[2], 2))
local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[3]))
if #stale > 0 then
  redis.call('ZREM', KEYS[1], unpack(stale))
  redis.call('HDEL', KEYS[2], unpack(stale))
end

local second = t[1]
if #redis.call('ZRANGEBYSCORE', KEYS[3], second, second, 'LIMIT', 0, 1) == 0 then
  local c = redis.call('HMGET', KEYS[4], 'completed', 'failed')
  redis.call('ZADD', KEYS[3], second, second .. ':' .. (c[1] or 0) .. ':' .. (c[2] or 0))
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', second - tonumber(ARGV[4]))
end

local known = ARGV[5]
local epoch = redis.call('GET', KEYS[5])
if not epoch then
  redis.call('SET', KEYS[5], ARGV[6])
  if known == '' then return { now, 1, ARGV[6] } end
  return { now, 2, ARGV[6] }
end
if known == '' or known == epoch then return { now, 0, epoch } end
return { now, 3, epoch }
