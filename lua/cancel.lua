--[[ cancel: remove jobs that are waiting, delayed or running, so they never run (again).

KEYS[1] jobs        HASH   sluice:{q}:jobs
KEYS[2] deliveries  HASH   sluice:{q}:deliveries
KEYS[3] errors      HASH   sluice:{q}:errors
KEYS[4] pending     LIST   sluice:{q}:pending
KEYS[5] delayed     ZSET   sluice:{q}:delayed
KEYS[6] active      ZSET   sluice:{q}:active
KEYS[7] dead        ZSET   sluice:{q}:dead
KEYS[8] stats       HASH   sluice:{q}:stats
KEYS[9] progress    HASH   sluice:{q}:progress
KEYS[10] events     STREAM sluice:{q}:events  one entry per call and event type: type, ids (see includes/events.lua); 'cancelled'

ARGV[1] cancel channel: the ids of running jobs are PUBLISHed there, comma-separated, so the
        engine holding them fires their AbortSignal and drops their leases
ARGV[2..] job ids (at most 1000; the wrapper enforces it)

Returns one status per id, in argument order:
  'removed'  it was waiting or delayed
  'stopped'  it was running: its lease is revoked and the signal published
  'dead'     a dead letter: left alone (delete or retry it instead)
  'missing'  no such job (never added, completed, or already cancelled)

Invariants
  - a removed job leaves no record, delivery count or error entry behind, so a stale worker's
    settle, release or renewal of it is rejected by token (settle and release compare the
    delivery count; renewal is ZADD XX, which never re-adds a member)
  - a waiting id is taken out of pending, or of its priority list KEYS[4]:<priority>
    (sluice:{q}:pending:<priority>) when its record has a priority, with LREM (from the tail, where the next jobs to run are)
    only while that list holds at most 10,000 ids: LREM scans the list, about 6 ms per 100,000 ids
    (56-63 ms measured for 1,000,000). In a longer list the id stays until acquire pops it and
    drops it for having no record, counted in LLEN (`waiting`) until then
  - stats.cancelled counts the jobs removed or stopped
]]
-- @include priority
-- @include events
local out, running, removed = {}, {}, {}
local cancelled = 0
for i = 2, #ARGV do
  local id = ARGV[i]
  local status = 'missing'
  if redis.call('HEXISTS', KEYS[1], id) == 1 then
    if redis.call('ZSCORE', KEYS[7], id) then
      status = 'dead'
    else
      if redis.call('ZREM', KEYS[6], id) == 1 then
        status = 'stopped'
        running[#running + 1] = id
      else
        status = 'removed'
        if redis.call('ZREM', KEYS[5], id) == 0 then
          local list = listOf(KEYS[4], redis.call('HGET', KEYS[1], id))
          if redis.call('LLEN', list) <= 10000 then
            redis.call('LREM', list, -1, id)
          end
        end
      end
      redis.call('HDEL', KEYS[1], id)
      redis.call('HDEL', KEYS[2], id)
      redis.call('HDEL', KEYS[3], id)
      redis.call('HDEL', KEYS[9], id)
      cancelled = cancelled + 1
      removed[cancelled] = id
    end
  end
  out[#out + 1] = status
end
if cancelled > 0 then
  redis.call('HINCRBY', KEYS[8], 'cancelled', cancelled)
end
if #running > 0 then
  redis.call('PUBLISH', ARGV[1], table.concat(running, ','))
end
emit(KEYS[10], 'cancelled', removed)
return out
