--[[ dlq-edit: replace a dead letter's payload and move it back to pending with a fresh set of attempts.
A job with a priority goes to the tail of its priority list, KEYS[2]:<priority> (sluice:{q}:pending:<priority>).

KEYS[1] dead        ZSET  sluice:{q}:dead
KEYS[2] pending     LIST  sluice:{q}:pending
KEYS[3] jobs        HASH  sluice:{q}:jobs
KEYS[4] deliveries  HASH  sluice:{q}:deliveries
KEYS[5] stats       HASH  sluice:{q}:stats
KEYS[6] fingerprints HASH sluice:{q}:dead-fingerprints  dead id -> its group's fingerprint id
KEYS[7] groups      HASH  sluice:{q}:dead-groups        fingerprint id -> label; members in KEYS[7]:G

ARGV[1] wake channel
ARGV[2] id
ARGV[3] the new payload's JSON (validated and size-checked by the caller)

Returns  1  the job was dead: its payload was replaced and it was moved back to pending
         0  the job is not dead (waiting, running, delayed, deleted or unknown): nothing changed
        -1  its record has no payload part to replace (a damaged record): nothing changed

Invariants
  - as dlq-retry: the delivery count is kept (tokens stay unique); the record's base is set to it,
    so the job starts again at attempt 1; its error history is kept
  - the redriven job leaves its fingerprint group (see settle.lua)
  - the record's enqueuedAt and option header are kept; only the part after the third '|' changes
  - the check that the job is dead and the redrive are one script: an edit never reaches a job that
    was redriven or deleted meanwhile
]]
-- @include unfile

-- @include priority
-- @include record

local id = ARGV[2]
if not redis.call('ZSCORE', KEYS[1], id) then
  return 0
end
local record = redis.call('HGET', KEYS[3], id)
if not record then
  return 0
end
local p1, p2, p3 = separators(record)
if not p3 then
  return -1
end

redis.call('ZREM', KEYS[1], id)
unfile(KEYS[6], KEYS[7], id)
local base = math.abs(tonumber(redis.call('HGET', KEYS[4], id)) or 0)
redis.call('HSET', KEYS[3], id, rebased(string.sub(record, 1, p3), p1, p2, base) .. ARGV[3])
if redis.call('LPUSH', listOf(KEYS[2], record), id) == 1 then
  redis.call('PUBLISH', ARGV[1], '1')
end
redis.call('HINCRBY', KEYS[5], 'redriven', 1)
return 1
