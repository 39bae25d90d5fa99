-- Takes dead letter `id` out of its fingerprint group: `fingerprints` is sluice:{q}:dead-fingerprints
-- (id -> group), `groups` sluice:{q}:dead-groups (group -> label, members in groups:<group>).
-- A group that empties is forgotten. The caller defines nothing; includes/file.lua files a letter.
local function unfile(fingerprints, groups, id)
  local group = redis.call('HGET', fingerprints, id)
  if group then
    redis.call('HDEL', fingerprints, id)
    local members = groups .. ':' .. group
    redis.call('ZREM', members, id)
    if redis.call('EXISTS', members) == 0 then
      redis.call('HDEL', groups, group)
    end
  end
end
