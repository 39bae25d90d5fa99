--[[ promote: an operator's "run now" for delayed jobs: each moves from delayed to the head of
its waiting list, so the next acquire leases it before anything already waiting at its priority.

KEYS[1] delayed  ZSET  sluice:{q}:delayed  id -> due time (ms, Redis clock)
KEYS[2] jobs     HASH  sluice:{q}:jobs     id -> record "enqueuedAt|base|opts|payload"
KEYS[3] pending  LIST  sluice:{q}:pending  ids waiting at the default priority, LPUSH in, RPOP out
        (the priority lists are KEYS[3]:<priority>, LIST sluice:{q}:pending:<priority>, same hash tag)

ARGV[1] wake channel (PUBLISHed when a list the job joins was empty, so idle dispatchers lease at once)
ARGV[2..] job ids (at most 1000; the wrapper enforces it)

Returns one status per id, in argument order:
  1  moved: it was delayed (a due time, or a retry's backoff) and now waits at the head of its list
  0  not delayed: waiting, running, dead, or a delayed id whose record is gone (left as it is)
 -1  missing: no such job

Invariants (those of lua/enqueue.lua)
  - every id in jobs is in exactly one of pending, a priority list or delayed: ZREM and the push
    happen together, and only for an id ZREM removed, so a job is never queued twice
  - a job goes to the list of its record's priority (includes/priority.lua), as acquire.lua promotes
    a due job; a record with a priority implies sluice:{q}:priorities exists (enqueue.lua sets it)
  - a delayed job holds no lease and its delivery count is untouched: the next lease fences as any
  - nothing is written for an id that is not delayed
]]
-- @include priority
local out, woken = {}, false
for i = 2, #ARGV do
  local id = ARGV[i]
  local record = redis.call('HGET', KEYS[2], id)
  if not record then
    out[#out + 1] = -1
  elseif redis.call('ZREM', KEYS[1], id) == 1 then
    -- RPUSH: the tail is where RPOP leases from, as for a due job acquire.lua promotes
    if redis.call('RPUSH', listOf(KEYS[3], record), id) == 1 and not woken then
      redis.call('PUBLISH', ARGV[1], '1')
      woken = true
    end
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
