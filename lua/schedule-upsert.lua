--[[ schedule-upsert: create or replace a schedule.

KEYS[1] schedules       ZSET  sluice:{q}:schedules        name -> next fire time (ms, Redis clock)
KEYS[2] schedule-defs   HASH  sluice:{q}:schedule-defs    name -> "<spec JSON>\n<opts|payload>"
KEYS[3] schedule-fired  HASH  sluice:{q}:schedule-fired   name -> tick last fired (ms)

ARGV[1] schedule name
ARGV[2] spec JSON (canonical: the caller always writes a spec's keys in the same order)
ARGV[3] definition "<spec JSON>\n<opts|payload>", validated by the caller
ARGV[4] first fire time, computed by the caller from the spec and the Redis clock

Returns { next fire time, tick last fired or -1 }

Invariants
  - the same spec keeps its stored next fire time (only the job changes), so an application that
    upserts its schedules at every start neither postpones nor repeats a tick; a changed spec
    starts again from ARGV[4], and its last-fired time is forgotten
  - the first write is a memory-growing command, so under OOM the script fails before it changes anything
]]
local head = ARGV[2] .. '\n'
local old = redis.call('HGET', KEYS[2], ARGV[1])
local stored = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
if old and stored and string.sub(old, 1, #head) == head then
  return { tonumber(stored), tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '-1') }
end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return { tonumber(ARGV[4]), -1 }
