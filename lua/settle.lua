--[[ settle: complete and fail many leased jobs in one call.

KEYS[1] active      ZSET  sluice:{q}:active
KEYS[2] jobs        HASH  sluice:{q}:jobs
KEYS[3] deliveries  HASH  sluice:{q}:deliveries
KEYS[4] errors      HASH  sluice:{q}:errors    id -> JSON array of error entries
KEYS[5] pending     LIST  sluice:{q}:pending
KEYS[6] delayed     ZSET  sluice:{q}:delayed
KEYS[7] dead        ZSET  sluice:{q}:dead      id -> dead-at (ms, Redis clock)
KEYS[8] stats       HASH  sluice:{q}:stats
KEYS[9] fingerprints HASH sluice:{q}:dead-fingerprints  dead id -> its group's fingerprint id
KEYS[10] groups     HASH  sluice:{q}:dead-groups        fingerprint id -> label; the members of
                          group G are the ZSET KEYS[10]:G (sluice:{q}:dead-groups:G, same hash tag)
KEYS[11] progress   HASH  sluice:{q}:progress          id -> progress of the running attempt
KEYS[12] priorities STRING sluice:{q}:priorities  present once the queue has held a job with a priority
KEYS[13] retention  HASH  sluice:{q}:retention        completed-count, completed-age (ms), dead-count, dead-age
KEYS[14] completed  ZSET  sluice:{q}:completed        kept completed id -> finished-at (µs, Redis clock)
KEYS[15] completed-jobs HASH sluice:{q}:completed-jobs kept completed id -> "deliveries|record"
KEYS[16] events     STREAM sluice:{q}:events  one entry per call and event type: type, ids (see includes/events.lua); 'completed', 'retried', 'dead'
                          (and 'started' for a lease)
KEYS[17] paused     STRING sluice:{q}:paused     } read only by the lease (see acquire.lua)
KEYS[18] limit      HASH  sluice:{q}:limit       }
KEYS[19] limit-log  ZSET  sluice:{q}:limit-log   }

ARGV[1] wake channel
ARGV[2] finished channel: "c:" + ids whose result was kept, "d:" + ids dead-lettered (for addAndWait)
ARGV[3] result key prefix   sluice:{q}:result:   + id  STRING  kept result, PX keepResult
ARGV[4] unique key prefix   sluice:{q}:unique:   + id  STRING  the id stays taken, PX uniqueFor
ARGV[5] L, jobs to lease after settling (0: none), as acquire.lua's ARGV[1]
ARGV[6] lease length in ms, ARGV[7] max delayed jobs to promote (acquire.lua's ARGV[2], ARGV[3])
ARGV[8] C, the number of completions
ARGV[9] K, the number of keep entries
ARGV[10 .. 9+2C]  completions: id, token
then K keep entries, four arguments each, for completions that keep something:
  id, keepResultMs, result ("v" + JSON or "e" + why it was not kept), uniqueForMs
then failures, six arguments each: id, token, retryDelayMs (-1 = dead-letter now), error entry (a JSON
object), fingerprint id and label (both '' unless retryDelayMs is -1)
At most 1000 entries per call.

Returns { completed, retried, dead, retryDue, S, staleId1, ..., staleIdS, lease... }
  retryDue  the earliest due time (ms, Redis clock) of the retries this call put in delayed, else -1:
            an engine that is idle must wake for them
  lease...  with L > 0, acquire.lua's reply { now, pendingLeft, nextDue, limitWait, id1, token1,
            record1, ... }, leased after the settlements (so a retry due now, or requeued, can be
            leased again at once); absent when L is 0 or the rate limit is damaged (the engine's own
            acquire then reports it)

Leasing in the same call as settling saves a round trip per block and is as crash-safe as an
acquire: the leased jobs are in active with a deadline before the reply leaves Redis, so if the
engine dies before it hands them to a thread, the janitor requeues them when the lease runs out,
and their new tokens fence any older lease.

Invariants
  - an entry is applied only when the job's delivery count equals the token; counts are positive
    only while leased (see acquire.lua), so that also proves the job is in active. Anything else
    is stale (the lease was lost) and changes nothing
  - a failed job's delivery count is negated: it is no longer leased
  - a completed job leaves no key behind but its kept result and unique key, both expiring; a
    keep entry is applied only with its job's completion (a stale completion keeps nothing)
  - unless KEYS[13] sets completed-count or completed-age: then its record is kept in KEYS[14..15],
    scores strictly increasing in settle order, and the call deletes the kept records beyond the
    count or older than the age, at most (records added by this call + TRIM) of them; the rest go
    in later calls or the janitor's sweep (lua/retention-trim.lua). Unset, this costs one HMGET per call
  - a failed one keeps its record and gains one error entry
  - the progress of every settled attempt is deleted (it described the attempt that just ended)
  - a dead-lettered job is filed in its fingerprint group (member of KEYS[10]:G with its dead-at,
    KEYS[9][id] = G, KEYS[10][G] = label); completions and retries touch no group key
  - a retry waits in delayed (due = now + delay, Redis clock) or goes to the tail of pending when delay is 0;
    with KEYS[12] present, to the tail of its priority list (KEYS[5]:<priority>, from its record's
    option header: one HMGET per call that has such retries; without KEYS[12], one EXISTS)
  - the lease, when asked for, keeps every invariant of acquire.lua
]]
-- @include events
-- @include priority
-- @include promotion
-- @include lease
-- @include errors
-- @include file
-- @include trim

-- Kept records deleted per call beyond those this call adds (see the invariants).
local TRIM = 200

-- Keeps the records of the completed jobs `done` (tokens `delivered`) and trims the kept set.
local function retain(done, delivered, count, age)
  local t = redis.call('TIME')
  local nowUs = t[1] * 1000000 + t[2]
  local last = redis.call('ZREVRANGE', KEYS[14], 0, 0, 'WITHSCORES')
  local score = math.max(nowUs, (tonumber(last[2]) or 0) + 1)
  local records = redis.call('HMGET', KEYS[2], unpack(done))
  -- only the newest `count` of this call could survive the trim
  local first = (count and #done > count) and (#done - count + 1) or 1
  local scored, fields = {}, {}
  for i = first, #done do
    if records[i] then
      scored[#scored + 1] = string.format('%d', score)
      scored[#scored + 1] = done[i]
      fields[#fields + 1] = done[i]
      fields[#fields + 1] = delivered[i] .. '|' .. records[i]
      score = score + 1
    end
  end
  if #scored > 0 then
    redis.call('ZADD', KEYS[14], unpack(scored))
    redis.call('HSET', KEYS[15], unpack(fields))
  end
  trimKept(KEYS[14], KEYS[15], count, age and (nowUs - age * 1000), #scored / 2 + TRIM)
end

-- Applies every entry; returns the reply's settle part.
local function apply()
  local completions = tonumber(ARGV[8])
  local keeps = tonumber(ARGV[9])
  local ids, tokens = {}, {}
  for i = 1, completions do
    ids[i] = ARGV[8 + 2 * i]
    tokens[i] = ARGV[9 + 2 * i]
  end
  local keepBase = 10 + 2 * completions
  local failBase = keepBase + 4 * keeps
  for a = failBase, #ARGV, 6 do
    ids[#ids + 1] = ARGV[a]
    tokens[#tokens + 1] = ARGV[a + 1]
  end
  if #ids == 0 then
    return { 0, 0, 0, -1, 0 }
  end

  local counts = redis.call('HMGET', KEYS[3], unpack(ids))
  local out = { 0, 0, 0, -1, 0 }
  local owned = {}
  local done, delivered = {}, {}
  for i = 1, #ids do
    if counts[i] == tokens[i] then
      owned[#owned + 1] = ids[i]
      if i <= completions then
        done[#done + 1] = ids[i]
        delivered[#done] = tokens[i]
      end
    else
      out[#out + 1] = ids[i]
      out[5] = out[5] + 1
    end
  end
  if #owned == 0 then
    return out
  end
  redis.call('ZREM', KEYS[1], unpack(owned))
  if redis.call('EXISTS', KEYS[11]) == 1 then
    redis.call('HDEL', KEYS[11], unpack(owned))
  end

  if #done > 0 then
    local keep = redis.call('HMGET', KEYS[13], 'completed-count', 'completed-age')
    if keep[1] or keep[2] then
      retain(done, delivered, tonumber(keep[1]), tonumber(keep[2]))
    end
    redis.call('HDEL', KEYS[2], unpack(done))
    redis.call('HDEL', KEYS[3], unpack(done))
    if redis.call('EXISTS', KEYS[4]) == 1 then
      redis.call('HDEL', KEYS[4], unpack(done))
    end
    redis.call('HINCRBY', KEYS[8], 'completed', #done)
    out[1] = #done
    if keeps > 0 then
      local completed = {}
      for _, id in ipairs(done) do
        completed[id] = true
      end
      local announced = {}
      for a = keepBase, failBase - 1, 4 do
        local id = ARGV[a]
        if completed[id] then
          local keepMs, uniqueMs = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 3])
          if keepMs > 0 then
            redis.call('SET', ARGV[3] .. id, ARGV[a + 2], 'PX', keepMs)
            announced[#announced + 1] = id
          end
          if uniqueMs > 0 then
            redis.call('SET', ARGV[4] .. id, '1', 'PX', uniqueMs)
          end
        end
      end
      if #announced > 0 then
        redis.call('PUBLISH', ARGV[2], 'c:' .. table.concat(announced, ','))
      end
    end
  end
  emit(KEYS[16], 'completed', done)
  if #done == #owned then
    return out
  end

  local t = redis.call('TIME')
  local now = t[1] * 1000 + math.floor(t[2] / 1000)
  local requeued, died, retried = {}, {}, {}
  for i = completions + 1, #ids do
    if counts[i] == tokens[i] then
      local a = failBase + 6 * (i - completions - 1)
      local id, delay, entry = ARGV[a], tonumber(ARGV[a + 2]), ARGV[a + 3]
      redis.call('HSET', KEYS[3], id, -tonumber(tokens[i]))
      appendError(KEYS[4], id, entry)
      if delay < 0 then
        file(KEYS[7], KEYS[9], KEYS[10], id, ARGV[a + 4], ARGV[a + 5], now)
        died[#died + 1] = id
        out[3] = out[3] + 1
      elseif delay == 0 then
        requeued[#requeued + 1] = id
        retried[#retried + 1] = id
        out[2] = out[2] + 1
      else
        redis.call('ZADD', KEYS[6], now + delay, id)
        if out[4] < 0 or now + delay < out[4] then
          out[4] = now + delay
        end
        retried[#retried + 1] = id
        out[2] = out[2] + 1
      end
    end
  end
  if #requeued > 0 and redis.call('EXISTS', KEYS[12]) == 1 then
    local records = redis.call('HMGET', KEYS[2], unpack(requeued))
    local lists = {}
    for i, id in ipairs(requeued) do
      local list = listOf(KEYS[5], records[i])
      lists[list] = lists[list] or {}
      table.insert(lists[list], id)
    end
    for list, ids in pairs(lists) do
      if redis.call('LPUSH', list, unpack(ids)) == #ids then
        redis.call('PUBLISH', ARGV[1], '1')
      end
    end
  elseif #requeued > 0 and redis.call('LPUSH', KEYS[5], unpack(requeued)) == #requeued then
    redis.call('PUBLISH', ARGV[1], '1')
  end
  if out[2] > 0 then
    redis.call('HINCRBY', KEYS[8], 'retried', out[2])
  end
  if out[3] > 0 then
    redis.call('HINCRBY', KEYS[8], 'dead', out[3])
    redis.call('PUBLISH', ARGV[2], 'd:' .. table.concat(died, ','))
  end
  if out[2] + out[3] > 0 then
    redis.call('HINCRBY', KEYS[8], 'failed', out[2] + out[3])
  end
  emit(KEYS[16], 'retried', retried)
  emit(KEYS[16], 'dead', died)
  return out
end

local out = apply()
local want = tonumber(ARGV[5])
if want > 0 then
  local leased = lease({
    pending = KEYS[5],
    jobs = KEYS[2],
    deliveries = KEYS[3],
    active = KEYS[1],
    delayed = KEYS[6],
    paused = KEYS[17],
    limit = KEYS[18],
    limitLog = KEYS[19],
    priorities = KEYS[12],
    events = KEYS[16],
  }, want, tonumber(ARGV[6]), tonumber(ARGV[7]))
  if not leased.err then
    for _, value in ipairs(leased) do
      out[#out + 1] = value
    end
  end
end
return out
