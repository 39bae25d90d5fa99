--[[ reap: recover jobs whose lease expired, and promote due delayed jobs.

KEYS[1] active      ZSET  sluice:{q}:active
KEYS[2] pending     LIST  sluice:{q}:pending
KEYS[3] jobs        HASH  sluice:{q}:jobs
KEYS[4] deliveries  HASH  sluice:{q}:deliveries
KEYS[5] errors      HASH  sluice:{q}:errors
KEYS[6] dead        ZSET  sluice:{q}:dead
KEYS[7] delayed     ZSET  sluice:{q}:delayed
KEYS[8] stats       HASH  sluice:{q}:stats
KEYS[9] fingerprints HASH sluice:{q}:dead-fingerprints  dead id -> its group's fingerprint id
KEYS[10] groups     HASH  sluice:{q}:dead-groups        fingerprint id -> label; members in KEYS[10]:G
KEYS[11] progress   HASH  sluice:{q}:progress           id -> progress of the running attempt (deleted here)
KEYS[12] priorities STRING sluice:{q}:priorities  present once the queue has held a job with a priority;
         then each job goes to its priority list KEYS[2]:<priority> (sluice:{q}:pending:<priority>)
KEYS[13] events     STREAM sluice:{q}:events  one entry per call and event type: type, ids (see includes/events.lua); 'stalled' (a lease expired and the job was re-queued), 'dead'

ARGV[1] wake channel
ARGV[2] max jobs to handle in this call (bounded, so the script stays short)
ARGV[3] attempts of a job whose record carries no options (the library default)
ARGV[4] fingerprint id of CrashedError (no stack), ARGV[5] its label: the group crashes are filed in

Returns { requeued, deadLettered, promoted, more }  more = 1 when another call may find work

Invariants
  - a lease has expired when its deadline is before the Redis clock; client clocks play no part
  - each expired lease is handled by exactly one call (several janitors may race safely)
  - a job that has used all its attempts (deliveries - base >= attempts) goes to dead with a
    'crashed' error entry (byte for byte what src/job/failure.ts writes, see includes/errors.lua),
    so a job that kills its worker cannot cycle forever; it is filed in
    the CrashedError fingerprint group as settle.lua files a failure
  - recovered and promoted jobs go to the head of pending, to run next (with KEYS[12] present, to
    the head of their priority list, read from the record's option header; without it, one EXISTS
    per call and nothing per job)
  - a recovered job's delivery count is negated: no longer leased, so its old token is stale
]]
-- @include events
-- @include priority
-- @include promotion
-- @include record
-- @include attempts
-- @include errors
-- @include file
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local limit = tonumber(ARGV[2])
local wasEmpty = redis.call('LLEN', KEYS[2]) == 0
local out = { 0, 0, 0, 0 }
local prioritised = redis.call('EXISTS', KEYS[12]) == 1

local promoted = promoteDue(KEYS[7], KEYS[3], KEYS[2], now, limit, prioritised)
out[3] = promoted

local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now, 'LIMIT', 0, limit)
if #expired > 0 then
  redis.call('ZREM', KEYS[1], unpack(expired))
  local records = redis.call('HMGET', KEYS[3], unpack(expired))
  local counts = redis.call('HMGET', KEYS[4], unpack(expired))
  local back, backRecords, dead, unleased = {}, {}, {}, {}
  for i, id in ipairs(expired) do
    local record = records[i]
    if record then
      local delivered = math.abs(tonumber(counts[i]) or 0)
      local used, exhausted = attemptsUsed(record, delivered, tonumber(ARGV[3]))
      unleased[#unleased + 1] = id
      unleased[#unleased + 1] = -delivered
      if exhausted then
        dead[#dead + 1] = id
        appendError(KEYS[5], id, errorEntry('CrashedError',
          'lease expired on delivery ' .. used .. ': the worker running it died or stalled', 'crashed', now))
        file(KEYS[6], KEYS[9], KEYS[10], id, ARGV[4], ARGV[5], now)
      else
        back[#back + 1] = id
        backRecords[#back] = record
      end
    end
  end
  if #unleased > 0 then
    redis.call('HSET', KEYS[4], unpack(unleased))
    if redis.call('EXISTS', KEYS[11]) == 1 then
      redis.call('HDEL', KEYS[11], unpack(expired))
    end
  end
  if #back > 0 then
    if prioritised then
      -- as without priorities: the last of `back` ends at the tail of its list, so it runs first
      local reversed = {}
      local reversedRecords = {}
      for i = #back, 1, -1 do
        reversed[#reversed + 1] = back[i]
        reversedRecords[#reversedRecords + 1] = backRecords[i]
      end
      toHeads(KEYS[2], reversed, reversedRecords)
    else
      redis.call('RPUSH', KEYS[2], unpack(back))
    end
    redis.call('HINCRBY', KEYS[8], 'reaped', #back)
  end
  if #dead > 0 then
    redis.call('HINCRBY', KEYS[8], 'dead', #dead)
    redis.call('HINCRBY', KEYS[8], 'failed', #dead)
  end
  out[1], out[2] = #back, #dead
  emit(KEYS[13], 'stalled', back)
  emit(KEYS[13], 'dead', dead)
end

if (promoted == limit) or (#expired == limit) then
  out[4] = 1
end
if (wasEmpty or prioritised) and (out[1] + out[3] > 0) then
  redis.call('PUBLISH', ARGV[1], '1')
end
return out
