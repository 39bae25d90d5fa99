--[[ acquire: lease up to N waiting jobs to one dispatcher.

KEYS[1] pending     LIST  sluice:{q}:pending
KEYS[2] jobs        HASH  sluice:{q}:jobs        id -> record
KEYS[3] deliveries  HASH  sluice:{q}:deliveries  id -> deliveries so far: positive while leased (it is
                                                   the fencing token), negated while not
KEYS[4] active      ZSET  sluice:{q}:active      id -> lease deadline (ms, Redis clock)
KEYS[5] delayed     ZSET  sluice:{q}:delayed     id -> due time
KEYS[6] paused      STRING sluice:{q}:paused     present while the queue is paused
KEYS[7] limit       HASH  sluice:{q}:limit       max, duration: the rate limit (absent: none);
                                                   used: leases counted in limit-log
KEYS[8] limit-log   ZSET  sluice:{q}:limit-log   "count:id:token" -> Redis time (ms) of one call's
                                                   leases (id and token of its first job keep it unique)
KEYS[9] priorities  STRING sluice:{q}:priorities present once the queue has held a prioritised job;
                                                   then the level lists KEYS[1]:<level> (LIST
                                                   sluice:{q}:pending:<level>, levels 1 2 4 5) are read too
KEYS[10] events     STREAM sluice:{q}:events  one entry per call and event type: type, ids (see includes/events.lua); 'started'

ARGV[1] max jobs to lease (1..1000)
ARGV[2] lease length in ms
ARGV[3] max delayed jobs to promote first

Returns { now, pendingLeft, nextDue, limitWait, id1, token1, record1, id2, ... }
  now          Redis time in ms when the leases were set
  pendingLeft  LLEN pending (and the level lists) after the pop (0 when nothing was popped)
  nextDue      due time of the earliest delayed job when nothing was leased, else -1
  limitWait    -1 when the rate limit leaves room for another lease now; else ms (>= 1) until it
               frees a slot: no acquire can lease before then, whether or not this one leased.
               An empty queue replies limitWait -1 (wait for a wake message or nextDue instead).
  token        the job's new delivery count; settle and release must present it

Rate limit: a sliding log, so "at most max leases in ANY window of duration ms" holds exactly
(a fixed window lets 2 x max through across a boundary; GCRA with a burst of max allows
2 x max - 1 in one window). A lease at time t is allowed only if the leases logged in
(t - duration, t] plus this call's stay <= max; every window [a, a + duration) ends at some
lease t whose check covered all leases in [a, t]. One log entry per call (not per job) keeps
the cost at O(calls per window); `used` holds their sum so no call re-reads the whole log.
Entries at or before now - duration are forgotten, oldest first, at most 1,000 per call.
Every lease counts, retries and recovered jobs too: a lease is a new delivery.

Invariants
  - nothing is leased, promoted or forgotten while the queue is paused (reply as for an empty queue)
  - a full window returns before promoting delayed jobs (the janitor's reap promotes them too)
  - with no limit set this costs one HMGET of a missing key and nothing per job
  - due delayed jobs are promoted to the head of pending, earliest first, before the pop; with
    KEYS[9] present, each to the head of its level's list (its record's option header says which)
  - without KEYS[9] this costs one EXISTS per call and nothing per job; with it, jobs are leased
    most urgent level first (1, 2, then pending as level 3, then 4, 5), FIFO within a level, and
    the block is filled across levels
  - a leased job is in active with deadline now + lease and its delivery count is one higher
    (and positive: a positive count means leased, so settle needs no check of active)
  - an id whose record is gone (deleted while waiting) is dropped, never leased nor counted
  - used = the sum of the counts in limit-log; both are written only after the pop, so under
    OOM the first write is one that frees memory
]]
-- @include events
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
if redis.call('EXISTS', KEYS[6]) == 1 then
  return { now, 0, -1, -1 }
end

local want = tonumber(ARGV[1])
local setting = redis.call('HMGET', KEYS[7], 'max', 'duration', 'used')
local max = tonumber(setting[1])
local duration, used, forget
if max then
  duration = tonumber(setting[2])
  if not duration or duration < 1 or max < 1 then
    return redis.error_reply('ERR sluice: damaged rate limit at ' .. KEYS[7])
  end
  used = tonumber(setting[3]) or 0
  forget = redis.call('ZRANGEBYSCORE', KEYS[8], '-inf', now - duration, 'LIMIT', 0, 1000)
  for _, entry in ipairs(forget) do
    used = used - tonumber(string.match(entry, '^%d+'))
  end
  want = math.min(want, max - used)
end

-- ms until the oldest logged lease leaves the window (when a full window frees a slot)
local function untilSlot()
  local oldest = redis.call('ZRANGE', KEYS[8], 0, 0, 'WITHSCORES')
  return math.max(1, (tonumber(oldest[2]) or now) + duration - now)
end

if max and want <= 0 then
  if #forget > 0 then
    redis.call('ZREMRANGEBYRANK', KEYS[8], 0, #forget - 1)
    redis.call('HSET', KEYS[7], 'used', used)
  end
  return { now, 0, -1, untilSlot() }
end

-- @include level
local ranked = redis.call('EXISTS', KEYS[9]) == 1

local due = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
if #due > 0 then
  redis.call('ZREM', KEYS[5], unpack(due))
  if ranked then
    local records = redis.call('HMGET', KEYS[2], unpack(due))
    local lists = {}
    for i = #due, 1, -1 do
      local list = listOf(KEYS[1], records[i])
      lists[list] = lists[list] or {}
      table.insert(lists[list], due[i])
    end
    for list, ids in pairs(lists) do
      redis.call('RPUSH', list, unpack(ids))
    end
  else
    local n = #due
    for i = 1, math.floor(n / 2) do
      due[i], due[n - i + 1] = due[n - i + 1], due[i]
    end
    redis.call('RPUSH', KEYS[1], unpack(due))
  end
end

local ids
local levels = ranked and { KEYS[1] .. ':1', KEYS[1] .. ':2', KEYS[1], KEYS[1] .. ':4', KEYS[1] .. ':5' }
if ranked then
  ids = {}
  for _, list in ipairs(levels) do
    if #ids < want then
      for _, id in ipairs(redis.call('RPOP', list, want - #ids) or {}) do
        ids[#ids + 1] = id
      end
    end
  end
  if #ids == 0 then
    ids = false
  end
else
  ids = redis.call('RPOP', KEYS[1], want)
end
if not ids then
  -- the log is left as it is: trimming can wait for a call that leases
  local first = redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')
  return { now, 0, tonumber(first[2]) or -1, -1 }
end

local records = redis.call('HMGET', KEYS[2], unpack(ids))
local counts = redis.call('HMGET', KEYS[3], unpack(ids))
local deadline = now + tonumber(ARGV[2])
local leases, tokens, started = {}, {}, {}
local out = { now, redis.call('LLEN', KEYS[1]), -1, -1 }
if ranked then
  for _, list in ipairs(levels) do
    if list ~= KEYS[1] then
      out[2] = out[2] + redis.call('LLEN', list)
    end
  end
end
for i, id in ipairs(ids) do
  local record = records[i]
  if record then
    local token = math.abs(tonumber(counts[i]) or 0) + 1
    leases[#leases + 1] = deadline
    leases[#leases + 1] = id
    tokens[#tokens + 1] = id
    tokens[#tokens + 1] = token
    out[#out + 1] = id
    out[#out + 1] = token
    out[#out + 1] = record
    started[#started + 1] = id
  end
end
if #leases > 0 then
  redis.call('ZADD', KEYS[4], unpack(leases))
  redis.call('HSET', KEYS[3], unpack(tokens))
end
emit(KEYS[10], 'started', started)
if max then
  if #forget > 0 then
    redis.call('ZREMRANGEBYRANK', KEYS[8], 0, #forget - 1)
  end
  local n = #tokens / 2
  if n > 0 then
    redis.call('ZADD', KEYS[8], now, n .. ':' .. tokens[1] .. ':' .. tokens[2])
    used = used + n
  end
  redis.call('HSET', KEYS[7], 'used', used)
  if used >= max then
    out[4] = untilSlot()
  end
end
return out
