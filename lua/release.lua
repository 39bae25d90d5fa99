--[[ release: hand leased jobs that never started back to the head of pending (graceful shutdown).
A job with a priority goes to the head of its priority list, KEYS[2]:<priority> (sluice:{q}:pending:<priority>).

KEYS[1] active      ZSET  sluice:{q}:active
KEYS[2] pending     LIST  sluice:{q}:pending
KEYS[3] jobs        HASH  sluice:{q}:jobs
KEYS[4] deliveries  HASH  sluice:{q}:deliveries

ARGV[1] wake channel
ARGV[2..] pairs: id, token

Returns the number of jobs released; entries with a stale token are skipped.

Invariants
  - the delivery count (the fencing token) only grows; the record's base grows with it, so an
    unstarted delivery does not use up an attempt (attempt = deliveries - base)
  - the delivery count is negated: the job is no longer leased
]]
-- @include priority
-- @include record
local released = 0
for a = 2, #ARGV, 2 do
  local id, token = ARGV[a], ARGV[a + 1]
  if redis.call('HGET', KEYS[4], id) == token and redis.call('ZREM', KEYS[1], id) == 1 then
    local record = redis.call('HGET', KEYS[3], id)
    if record then
      local p1, p2 = separators(record)
      local base = tonumber(string.sub(record, p1 + 1, p2 - 1)) + 1
      redis.call('HSET', KEYS[3], id, rebased(record, p1, p2, base))
      redis.call('HSET', KEYS[4], id, -tonumber(token))
      redis.call('RPUSH', listOf(KEYS[2], record), id)
      released = released + 1
    end
  end
end
if released > 0 then
  redis.call('PUBLISH', ARGV[1], '1')
end
return released
