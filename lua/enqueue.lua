--[[ enqueue: add many jobs in one call.

KEYS[1] pending  LIST    sluice:{q}:pending   ids waiting, LPUSH in, RPOP out
KEYS[2] jobs     HASH    sluice:{q}:jobs      id -> record "enqueuedAt|base|opts|payload"
KEYS[3] seq      STRING  sluice:{q}:seq       last generated numeric id
KEYS[4] stats    HASH    sluice:{q}:stats     counters
KEYS[5] events   STREAM sluice:{q}:events  one entry per call and event type: type, ids (see includes/events.lua); 'added'
KEYS[6] delayed  ZSET    sluice:{q}:delayed   id -> due time (ms, Redis clock)
KEYS[7] priorities STRING sluice:{q}:priorities  set ('prioritised' mode) once the queue has held a job
        with a priority (the priority lists are KEYS[1]:<priority>, LIST sluice:{q}:pending:<priority>,
        same hash tag)
'plain' touches KEYS[1..5] only, and is sent with those five.

ARGV[1] wake channel (PUBLISHed when pending was empty, so idle dispatchers start at once)
ARGV[2] mode
ARGV[3] put before each generated id: '' for a queue's own keys, "<i>~" for its partition i > 0,
        so generated ids are unique across a partitioned queue and name their partition
  'plain'  ARGV[4..] are records "opts|payload"; ids are generated, no delay, no priority
  'placed' each job says where it goes: ARGV[4] is the prefix of the unique keys
           (sluice:{q}:unique:<id>, set by settle.lua for a completed job with uniqueFor); ARGV[5..]
           are triples jobId ('' = generate), due (delay in ms, or "@" and a time in ms since the
           epoch), "opts|payload"; no job has a priority
  'prioritised' as 'placed', and some jobs have a priority (see includes/priority.lua): a job due
           now goes to its priority list (KEYS[1]:<priority>; priority 3, the default, is KEYS[1])
An "opts" header may end with ";traceparent[;tracestate]" (a traced add, src/tracing/carrier.ts):
  stored as it is; the priority field ends at that ';' as it does at the '|'
At most 1000 jobs per call (Lua unpack limit); the wrapper enforces it.

Returns
  'plain': the number of the first generated id (integer, without ARGV[3]); the others follow
           consecutively
  'placed', 'prioritised': the ids in argument order (strings); a jobId that exists, or whose
           unique key is still there, is returned unchanged and not re-queued

Invariants
  - every id written to jobs is in exactly one of pending, a priority list (pending:<priority>) or delayed
  - a job in a priority list implies KEYS[7] exists (acquire.lua reads the priority lists only then)
  - the first write is a memory-growing command, so under OOM the script fails before it changes anything
  - enqueuedAt and due times come from the Redis clock; a due time not after now queues at once
]]
-- @include events
-- @include priority
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local prefix = string.format('%d|0|', now)
local pushed = {}
-- ids actually added, for the 'added' event
local newIds = {}
local added = 0
local result
-- 'prioritised' only: ids due now with a priority, by priority
local prioritised = ARGV[2] == 'prioritised' and {}

if ARGV[2] == 'plain' then
  local argv, idPrefix = ARGV, ARGV[3]
  local n = #argv - 3
  local first = redis.call('INCRBY', KEYS[3], n) - n + 1
  local fields = {}
  for i = 1, n do
    local id = idPrefix .. (first + i - 1)
    pushed[i] = id
    fields[2 * i - 1] = id
    fields[2 * i] = prefix .. argv[i + 3]
  end
  redis.call('HSET', KEYS[2], unpack(fields))
  added = n
  result = first
else
  result = {}
  -- generated ids' records and delayed jobs' scores, each written by one command at the end
  local fields, scores = {}, {}
  local generated = 0
  for i = 5, #ARGV, 3 do
    if ARGV[i] == '' then
      generated = generated + 1
    end
  end
  local nextId = generated > 0 and redis.call('INCRBY', KEYS[3], generated) - generated + 1
  for i = 5, #ARGV, 3 do
    local id = ARGV[i]
    local fresh
    if id == '' then
      id = ARGV[3] .. nextId
      nextId = nextId + 1
      fields[#fields + 1] = id
      fields[#fields + 1] = prefix .. ARGV[i + 2]
      fresh = true
    else
      fresh = redis.call('EXISTS', ARGV[4] .. id) == 0
        and redis.call('HSETNX', KEYS[2], id, prefix .. ARGV[i + 2]) == 1
    end
    result[#result + 1] = id
    if fresh then
      added = added + 1
      newIds[added] = id
      local due = ARGV[i + 1]
      if string.byte(due, 1) == 64 then
        due = tonumber(string.sub(due, 2))
      else
        due = now + tonumber(due)
      end
      local priority = prioritised and tonumber(string.match(ARGV[i + 2], BODY_PRIORITY))
      if due > now then
        scores[#scores + 1] = due
        scores[#scores + 1] = id
      elseif priority then
        prioritised[priority] = prioritised[priority] or {}
        table.insert(prioritised[priority], id)
      else
        pushed[#pushed + 1] = id
      end
    end
  end
  if #fields > 0 then
    redis.call('HSET', KEYS[2], unpack(fields))
  end
  if #scores > 0 then
    redis.call('ZADD', KEYS[6], unpack(scores))
  end
end

if #pushed > 0 then
  if redis.call('LPUSH', KEYS[1], unpack(pushed)) == #pushed then
    redis.call('PUBLISH', ARGV[1], '1')
  end
end
if prioritised then
  -- set even when every job with a priority was delayed: promotion must then read priorities
  redis.call('SET', KEYS[7], '1')
  for priority, ids in pairs(prioritised) do
    if redis.call('LPUSH', KEYS[1] .. ':' .. priority, unpack(ids)) == #ids then
      redis.call('PUBLISH', ARGV[1], '1')
    end
  end
end
if added > 0 then
  redis.call('HINCRBY', KEYS[4], 'added', added)
end
emit(KEYS[5], 'added', ARGV[2] == 'plain' and pushed or newIds)
return result
