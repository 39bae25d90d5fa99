--[[ obliterate: delete every key of a queue, unless it is busy (or the caller forces it).

KEYS[1]  active   ZSET  sluice:{q}:active   id -> lease deadline: jobs running now
KEYS[2]  engines  ZSET  sluice:{q}:engines  engine id -> last heartbeat (ms, Redis clock)
KEYS[3..] all      KEY   sluice:{q}:<name>[:<priority>]  every key of the queue: sluice:{q}:<name> for
          each name of KEY_NAMES (src/redis/keys.ts), then the priority lists sluice:{q}:pending:<priority>

ARGV[1] '1' to delete even when busy, '0' to refuse
ARGV[2] ms after which an engine's heartbeat is too old for it to count as live
ARGV[3] the dead-groups key (sluice:{q}:dead-groups): each group G it names has a ZSET ARGV[3]:G,
        unlinked too. Kept results and unique keys (sluice:{q}:result:<id>, unique:<id>) are not
        listed anywhere: they expire on their own (keepResult, uniqueFor)

Returns { status, active, liveEngines }
  status 1  every key was unlinked
         0  refused: jobs are leased or engines are live (counts in the reply); nothing changed

Why one UNLINK rather than chunks
  UNLINK removes a key from the keyspace in O(1) per key, whatever its size, and frees the value
  in a background thread (values of 64 elements or fewer are freed at once, which is cheap by
  definition). So this call does O(number of key names) work even for a queue holding millions of
  jobs, and needs no chunking; being one call, the busy check and the deletion are atomic, and no
  half-deleted queue (records gone, ids still pending) is ever visible. The memory is returned a
  little later, as the background thread gets to it.

Invariants
  - the busy check and the deletion happen in the same script: nothing can lease a job in between
  - engine liveness is judged by the Redis clock, as lua/heartbeat.lua writes it
  - refused, the script writes nothing
]]
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local active = redis.call('ZCARD', KEYS[1])
local live = redis.call('ZCOUNT', KEYS[2], now - tonumber(ARGV[2]), '+inf')
if ARGV[1] ~= '1' and (active > 0 or live > 0) then
  return { 0, active, live }
end
local all = {}
for i = 3, #KEYS do
  all[#all + 1] = KEYS[i]
end
for _, group in ipairs(redis.call('HKEYS', ARGV[3])) do
  all[#all + 1] = ARGV[3] .. ':' .. group
end
redis.call('UNLINK', unpack(all))
return { 1, active, live }
