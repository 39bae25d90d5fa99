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
KEYS[12] priorities STRING sluice:{q}:priorities  present once the queue has held a prioritised job;
         then each job goes to its level's list KEYS[2]:<level> (sluice:{q}:pending:<level>)
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
    'crashed' error entry, so a job that kills its worker cannot cycle forever; it is filed in
    the CrashedError fingerprint group as settle.lua files a failure
  - recovered and promoted jobs go to the head of pending, to run next (with KEYS[12] present, to
    the head of their level's list, read from the record's option header; without it, one EXISTS
    per call and nothing per job)
  - a recovered job's delivery count is negated: no longer leased, so its old token is stale
]]
-- @include events
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local limit = tonumber(ARGV[2])
local wasEmpty = redis.call('LLEN', KEYS[2]) == 0
local out = { 0, 0, 0, 0 }
local ranked = redis.call('EXISTS', KEYS[12]) == 1
local PENDING = KEYS[2]
-- @include level

-- ids (earliest to run first) to the head of their lists, so the first of each list runs next
local function toHead(ids, records)
  local lists = {}
  for i = #ids, 1, -1 do
    local list = listOf(PENDING, records[i])
    lists[list] = lists[list] or {}
    table.insert(lists[list], ids[i])
  end
  for list, group in pairs(lists) do
    redis.call('RPUSH', list, unpack(group))
  end
end

local due = redis.call('ZRANGEBYSCORE', KEYS[7], '-inf', now, 'LIMIT', 0, limit)
if #due > 0 then
  redis.call('ZREM', KEYS[7], unpack(due))
  local n = #due
  if ranked then
    toHead(due, redis.call('HMGET', KEYS[3], unpack(due)))
  else
    for i = 1, math.floor(n / 2) do
      due[i], due[n - i + 1] = due[n - i + 1], due[i]
    end
    redis.call('RPUSH', KEYS[2], unpack(due))
  end
  out[3] = n
end

local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now, 'LIMIT', 0, limit)
if #expired > 0 then
  redis.call('ZREM', KEYS[1], unpack(expired))
  local records = redis.call('HMGET', KEYS[3], unpack(expired))
  local counts = redis.call('HMGET', KEYS[4], unpack(expired))
  local back, backRecords, dead, unleased = {}, {}, {}, {}
  for i, id in ipairs(expired) do
    local record = records[i]
    if record then
      local base, opts = string.match(record, '^%d+|(%d+)|([^|]*)|')
      local attempts = tonumber(string.match(opts or '', '^(%d+)')) or tonumber(ARGV[3])
      local delivered = math.abs(tonumber(counts[i]) or 0)
      local used = delivered - (tonumber(base) or 0)
      unleased[#unleased + 1] = id
      unleased[#unleased + 1] = -delivered
      if used >= attempts then
        dead[#dead + 1] = id
        local entry = '{"name":"CrashedError","message":"lease expired on delivery ' .. used ..
          ': the worker running it died or stalled","reason":"crashed","at":' .. now .. '}'
        local previous = redis.call('HGET', KEYS[5], id)
        if previous then
          redis.call('HSET', KEYS[5], id, string.sub(previous, 1, -2) .. ',' .. entry .. ']')
        else
          redis.call('HSET', KEYS[5], id, '[' .. entry .. ']')
        end
        redis.call('ZADD', KEYS[6], now, id)
        redis.call('HSET', KEYS[9], id, ARGV[4])
        redis.call('ZADD', KEYS[10] .. ':' .. ARGV[4], now, id)
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
    if ranked then
      -- as without priorities: the last of `back` ends at the tail of its list, so it runs first
      local reversed = {}
      local reversedRecords = {}
      for i = #back, 1, -1 do
        reversed[#reversed + 1] = back[i]
        reversedRecords[#reversedRecords + 1] = backRecords[i]
      end
      toHead(reversed, reversedRecords)
    else
      redis.call('RPUSH', KEYS[2], unpack(back))
    end
    redis.call('HINCRBY', KEYS[8], 'reaped', #back)
  end
  if #dead > 0 then
    redis.call('HSET', KEYS[10], ARGV[4], ARGV[5])
    redis.call('HINCRBY', KEYS[8], 'dead', #dead)
    redis.call('HINCRBY', KEYS[8], 'failed', #dead)
  end
  out[1], out[2] = #back, #dead
  emit(KEYS[13], 'stalled', back)
  emit(KEYS[13], 'dead', dead)
end

if (#due == limit) or (#expired == limit) then
  out[4] = 1
end
if (wasEmpty or ranked) and (out[1] + out[3] > 0) then
  redis.call('PUBLISH', ARGV[1], '1')
end
return out
