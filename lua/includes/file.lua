-- Dead-letters job `id` at `now` (Redis clock, ms) and files it in fingerprint group `group`
-- (label `label`): `dead` is sluice:{q}:dead (id -> dead-at), `fingerprints` sluice:{q}:dead-fingerprints
-- (id -> group), `groups` sluice:{q}:dead-groups (group -> label; members in groups:<group>, a
-- ZSET of dead-at). The caller defines nothing; includes/unfile.lua takes a letter out again.
local function file(dead, fingerprints, groups, id, group, label, now)
  redis.call('ZADD', dead, now, id)
  redis.call('HSET', fingerprints, id, group)
  redis.call('HSET', groups, group, label)
  redis.call('ZADD', groups .. ':' .. group, now, id)
end
