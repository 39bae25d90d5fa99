--[[ drain: delete up to N waiting and delayed jobs (one bounded chunk of queue.drain()).

KEYS[1] pending     LIST  sluice:{q}:pending     ids waiting (LPUSH in, RPOP out)
KEYS[2] delayed     ZSET  sluice:{q}:delayed     id -> due time
KEYS[3] jobs        HASH  sluice:{q}:jobs        id -> record
KEYS[4] deliveries  HASH  sluice:{q}:deliveries  id -> delivery count
KEYS[5] errors      HASH  sluice:{q}:errors      id -> JSON array of error entries
KEYS[6] stats       HASH  sluice:{q}:stats       counters (+ drained)
KEYS[7..] priority-lists LIST sluice:{q}:pending:<priority>  jobs waiting with a priority, most urgent
                                                   first: taken like pending's, before the delayed ones

ARGV[1] most ids to take in this call (1..1000; the wrapper enforces it): waiting ones first,
        from the end acquire pops (the oldest), then delayed ones, earliest due first

Returns { taken, removed, left }
  taken    ids taken off pending and delayed in this call
  removed  jobs whose record was deleted (an id whose record was already gone counts in taken only)
  left     LLEN pending + LLEN of each priority list + ZCARD delayed after this call

Invariants
  - the state sets are disjoint (see enqueue, acquire, settle, reap): an id in pending or delayed is
    neither leased nor dead, so active jobs and dead letters are never touched, and a leased job
    still has its record and delivery count when it settles
  - each call is atomic against acquire: a job is either leased or drained, never both
  - stats.drained grows by `removed`: the counters account for every job that leaves this way
  - work per call is O(ARGV[1]) whatever the queue's size: a few ms at most
]]
local max = tonumber(ARGV[1])
local ids = redis.call('RPOP', KEYS[1], max) or {}
local waiting = redis.call('LLEN', KEYS[1])
for k = 7, #KEYS do
  if #ids < max then
    for _, id in ipairs(redis.call('RPOP', KEYS[k], max - #ids) or {}) do
      ids[#ids + 1] = id
    end
  end
  waiting = waiting + redis.call('LLEN', KEYS[k])
end
if #ids < max then
  local due = redis.call('ZRANGE', KEYS[2], 0, max - #ids - 1)
  if #due > 0 then
    redis.call('ZREM', KEYS[2], unpack(due))
    for _, id in ipairs(due) do
      ids[#ids + 1] = id
    end
  end
end

local removed = 0
if #ids > 0 then
  removed = redis.call('HDEL', KEYS[3], unpack(ids))
  redis.call('HDEL', KEYS[4], unpack(ids))
  redis.call('HDEL', KEYS[5], unpack(ids))
  if removed > 0 then
    redis.call('HINCRBY', KEYS[6], 'drained', removed)
  end
end
return { #ids, removed, waiting + redis.call('ZCARD', KEYS[2]) }
