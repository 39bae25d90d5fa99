--[[ schedule-fire: fire one tick of a schedule, once however many engines try.

KEYS[1] schedules       ZSET  sluice:{q}:schedules        name -> next fire time (ms, Redis clock)
KEYS[2] schedule-defs   HASH  sluice:{q}:schedule-defs    name -> "<spec JSON>\n<opts|payload>"
KEYS[3] schedule-fired  HASH  sluice:{q}:schedule-fired   name -> tick last fired (ms)
KEYS[4] pending         LIST  sluice:{q}:pending
KEYS[5] jobs            HASH  sluice:{q}:jobs
KEYS[6] stats           HASH  sluice:{q}:stats
KEYS[7] priorities      STRING sluice:{q}:priorities  set when the job has a priority, which sends it to
                              the priority list KEYS[4]:<priority> (sluice:{q}:pending:<priority>) instead of pending

ARGV[1] wake channel
ARGV[2] schedule name
ARGV[3] due: the next fire time the caller read (the tick being fired)
ARGV[4] next fire time after this tick, computed by the caller from the spec and the Redis clock
ARGV[5] the spec JSON the caller computed ARGV[4] from

Returns the Redis time (ms) when this call fired the tick; 0 when it did not (another engine
fired it first, the schedule was removed or changed, or the tick is not due yet).

Invariants
  - compare-and-set: the tick fires only while the stored next fire time is still ARGV[3] and the
    definition's spec is still ARGV[5]; firing moves it to ARGV[4] > ARGV[3], so of any number of
    racing callers exactly one fires each tick
  - the job is written as lua/enqueue.lua writes a job with a jobId and no delay: id
    "<name>:<due>", record "enqueuedAt|0|opts|payload" with enqueuedAt from the Redis clock,
    LPUSH to pending (PUBLISH wake when pending was empty), stats.added + 1; an existing id is
    left alone, as add does
  - the first write is a memory-growing command, so under OOM the script fails before it changes anything
]]
-- @include priority
local due = tonumber(ARGV[3])
local nextAt = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local stored = redis.call('ZSCORE', KEYS[1], ARGV[2])
if not stored or tonumber(stored) ~= due or due > now or nextAt <= due then
  return 0
end
local def = redis.call('HGET', KEYS[2], ARGV[2])
local head = ARGV[5] .. '\n'
if not def or string.sub(def, 1, #head) ~= head then
  return 0
end

local id = ARGV[2] .. ':' .. ARGV[3]
if redis.call('HSETNX', KEYS[5], id, string.format('%d|0|', now) .. string.sub(def, #head + 1)) == 1 then
  local priority = string.match(def, BODY_PRIORITY, #head + 1)
  local list = KEYS[4]
  if priority then
    redis.call('SET', KEYS[7], '1')
    list = KEYS[4] .. ':' .. priority
  end
  if redis.call('LPUSH', list, id) == 1 then
    redis.call('PUBLISH', ARGV[1], '1')
  end
  redis.call('HINCRBY', KEYS[6], 'added', 1)
end
redis.call('ZADD', KEYS[1], 'XX', nextAt, ARGV[2])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
return now
