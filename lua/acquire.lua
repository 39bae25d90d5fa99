--[[ acquire: lease up to N waiting jobs to one dispatcher.

KEYS[1] pending     LIST  sluice:{q}:pending
KEYS[2] jobs        HASH  sluice:{q}:jobs        id -> record
KEYS[3] deliveries  HASH  sluice:{q}:deliveries  id -> deliveries so far: positive while leased (it is
                                                   the fencing token), negated while not
KEYS[4] active      ZSET  sluice:{q}:active      id -> lease deadline (ms, Redis clock)
KEYS[5] delayed     ZSET  sluice:{q}:delayed     id -> due time
KEYS[6] paused      STRING sluice:{q}:paused     present while the queue is paused

ARGV[1] max jobs to lease (1..1000)
ARGV[2] lease length in ms
ARGV[3] max delayed jobs to promote first

Returns { now, pendingLeft, nextDue, id1, token1, record1, id2, ... }
  now          Redis time in ms when the leases were set
  pendingLeft  LLEN pending after the pop (lets the caller size its next block)
  nextDue      due time of the earliest delayed job when nothing was leased, else -1
  token        the job's new delivery count; settle and release must present it

Invariants
  - due delayed jobs are promoted to the head of pending, earliest first, before the pop
  - a leased job is in active with deadline now + lease and its delivery count is one higher
    (and positive: a positive count means leased, so settle needs no check of active)
  - an id whose record is gone (deleted while waiting) is dropped, never leased
  - nothing is leased or promoted while the queue is paused (the reply is as for an empty queue)
]]
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
if redis.call('EXISTS', KEYS[6]) == 1 then
  return { now, 0, -1 }
end

local due = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
if #due > 0 then
  redis.call('ZREM', KEYS[5], unpack(due))
  local n = #due
  for i = 1, math.floor(n / 2) do
    due[i], due[n - i + 1] = due[n - i + 1], due[i]
  end
  redis.call('RPUSH', KEYS[1], unpack(due))
end

local ids = redis.call('RPOP', KEYS[1], tonumber(ARGV[1]))
if not ids then
  local first = redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')
  return { now, 0, tonumber(first[2]) or -1 }
end

local records = redis.call('HMGET', KEYS[2], unpack(ids))
local counts = redis.call('HMGET', KEYS[3], unpack(ids))
local deadline = now + tonumber(ARGV[2])
local leases, tokens = {}, {}
local out = { now, redis.call('LLEN', KEYS[1]), -1 }
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
  end
end
if #leases > 0 then
  redis.call('ZADD', KEYS[4], unpack(leases))
  redis.call('HSET', KEYS[3], unpack(tokens))
end
return out
