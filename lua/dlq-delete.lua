--[[ dlq-delete: delete dead-lettered jobs and everything kept about them.

KEYS[1] dead        ZSET  sluice:{q}:dead
KEYS[2] jobs        HASH  sluice:{q}:jobs
KEYS[3] deliveries  HASH  sluice:{q}:deliveries
KEYS[4] errors      HASH  sluice:{q}:errors
KEYS[5] fingerprints HASH sluice:{q}:dead-fingerprints  dead id -> its group's fingerprint id
KEYS[6] groups      HASH  sluice:{q}:dead-groups        fingerprint id -> label; members in KEYS[6]:G

ARGV[1..] ids

Returns the number deleted; an id that is not dead (waiting, running, unknown) is left alone.
A deleted job leaves its fingerprint group (see settle.lua).
]]
-- @include unfile

local deleted = 0
for _, id in ipairs(ARGV) do
  if redis.call('ZREM', KEYS[1], id) == 1 then
    redis.call('HDEL', KEYS[2], id)
    redis.call('HDEL', KEYS[3], id)
    redis.call('HDEL', KEYS[4], id)
    unfile(KEYS[5], KEYS[6], id)
    deleted = deleted + 1
  end
end
return deleted
