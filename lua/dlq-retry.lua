--[[ dlq-retry: move dead-lettered jobs back to pending with a fresh set of attempts.
A job with a priority goes to the tail of its priority list, KEYS[2]:<priority> (sluice:{q}:pending:<priority>).

KEYS[1] dead        ZSET  sluice:{q}:dead
KEYS[2] pending     LIST  sluice:{q}:pending
KEYS[3] jobs        HASH  sluice:{q}:jobs
KEYS[4] deliveries  HASH  sluice:{q}:deliveries
KEYS[5] stats       HASH  sluice:{q}:stats
KEYS[6] fingerprints HASH sluice:{q}:dead-fingerprints  dead id -> its group's fingerprint id
KEYS[7] groups      HASH  sluice:{q}:dead-groups        fingerprint id -> label; members in KEYS[7]:G

ARGV[1] wake channel
ARGV[2] mode: 'ids' (ARGV[3..] are ids) or 'all' (ARGV[3] is the most to move in this call, oldest
        first, after skipping the ARGV[4] oldest: the damaged ones earlier calls left)

Returns { moved, left, skipped }
  left     dead letters remaining after this call
  skipped  dead letters left dead because their record is damaged (no '|' fields): a retry would
           only dead-letter them again as decode_error, and nothing here may fail half-way

Invariants
  - the delivery count is kept (tokens stay unique); the record's base is set to it, so the
    job starts again at attempt 1; its error history is kept
  - an id that is not dead is ignored
  - a moved job leaves its fingerprint group (see settle.lua); a damaged one stays in it
  - every check comes before the first write of an id (Redis keeps a script's writes on error)
]]
-- @include unfile

-- @include priority
-- @include record

local ids
if ARGV[2] == 'all' then
  local skip = tonumber(ARGV[4])
  ids = redis.call('ZRANGE', KEYS[1], skip, skip + tonumber(ARGV[3]) - 1)
else
  ids = {}
  for a = 3, #ARGV do
    ids[#ids + 1] = ARGV[a]
  end
end

local moved = {}
local lists = {}
local skipped = 0
for _, id in ipairs(ids) do
  local record = redis.call('HGET', KEYS[3], id)
  local p1, p2 = separators(record)
  if record and not p2 and redis.call('ZSCORE', KEYS[1], id) then
    skipped = skipped + 1
  elseif p2 and redis.call('ZREM', KEYS[1], id) == 1 then
    local base = math.abs(tonumber(redis.call('HGET', KEYS[4], id)) or 0)
    redis.call('HSET', KEYS[3], id, rebased(record, p1, p2, base))
    unfile(KEYS[6], KEYS[7], id)
    moved[#moved + 1] = id
    local list = listOf(KEYS[2], record)
    lists[list] = lists[list] or {}
    table.insert(lists[list], id)
  end
end
if #moved > 0 then
  for list, group in pairs(lists) do
    if redis.call('LPUSH', list, unpack(group)) == #group then
      redis.call('PUBLISH', ARGV[1], '1')
    end
  end
  redis.call('HINCRBY', KEYS[5], 'redriven', #moved)
end
return { #moved, redis.call('ZCARD', KEYS[1]), skipped }
