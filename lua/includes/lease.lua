-- Leases up to `want` waiting jobs: the body of lua/acquire.lua, shared with lua/settle.lua so a
-- settle call can lease the capacity it frees (see acquire.lua for the keys, the reply and the
-- invariants). `k` names the keys: pending, jobs, deliveries, active, delayed, paused, limit,
-- limitLog, priorities, events. Needs the events, priority and promotion includes before it.
local function lease(k, want, leaseMs, promoteLimit)
  local t = redis.call('TIME')
  local now = t[1] * 1000 + math.floor(t[2] / 1000)
  if redis.call('EXISTS', k.paused) == 1 then
    return { now, 0, -1, -1 }
  end

  local setting = redis.call('HMGET', k.limit, 'max', 'duration', 'used')
  local max = tonumber(setting[1])
  local duration, used, forget
  if max then
    duration = tonumber(setting[2])
    if not duration or duration < 1 or max < 1 then
      return redis.error_reply('ERR sluice: damaged rate limit at ' .. k.limit)
    end
    used = tonumber(setting[3]) or 0
    forget = redis.call('ZRANGEBYSCORE', k.limitLog, '-inf', now - duration, 'LIMIT', 0, 1000)
    for _, entry in ipairs(forget) do
      used = used - tonumber(string.match(entry, '^%d+'))
    end
    want = math.min(want, max - used)
  end

  -- ms until the oldest logged lease leaves the window (when a full window frees a slot)
  local function untilSlot()
    local oldest = redis.call('ZRANGE', k.limitLog, 0, 0, 'WITHSCORES')
    return math.max(1, (tonumber(oldest[2]) or now) + duration - now)
  end

  if max and want <= 0 then
    if #forget > 0 then
      redis.call('ZREMRANGEBYRANK', k.limitLog, 0, #forget - 1)
      redis.call('HSET', k.limit, 'used', used)
    end
    return { now, 0, -1, untilSlot() }
  end

  local prioritised = redis.call('EXISTS', k.priorities) == 1
  promoteDue(k.delayed, k.jobs, k.pending, now, promoteLimit, prioritised)

  local ids
  -- most urgent first: pending holds priority 3, the default
  local lists = prioritised and { k.pending .. ':1', k.pending .. ':2', k.pending, k.pending .. ':4', k.pending .. ':5' }
  if prioritised then
    ids = {}
    for _, list in ipairs(lists) do
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
    ids = redis.call('RPOP', k.pending, want)
  end
  if not ids then
    -- the log is left as it is: trimming can wait for a call that leases
    local first = redis.call('ZRANGE', k.delayed, 0, 0, 'WITHSCORES')
    return { now, 0, tonumber(first[2]) or -1, -1 }
  end

  local records = redis.call('HMGET', k.jobs, unpack(ids))
  local counts = redis.call('HMGET', k.deliveries, unpack(ids))
  local deadline = now + leaseMs
  local leases, tokens, started = {}, {}, {}
  local out = { now, redis.call('LLEN', k.pending), -1, -1 }
  if prioritised then
    for _, list in ipairs(lists) do
      if list ~= k.pending then
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
    redis.call('ZADD', k.active, unpack(leases))
    redis.call('HSET', k.deliveries, unpack(tokens))
  end
  emit(k.events, 'started', started)
  if max then
    if #forget > 0 then
      redis.call('ZREMRANGEBYRANK', k.limitLog, 0, #forget - 1)
    end
    local n = #tokens / 2
    if n > 0 then
      redis.call('ZADD', k.limitLog, now, n .. ':' .. tokens[1] .. ':' .. tokens[2])
      used = used + n
    end
    redis.call('HSET', k.limit, 'used', used)
    if used >= max then
      out[4] = untilSlot()
    end
  end
  return out
end
