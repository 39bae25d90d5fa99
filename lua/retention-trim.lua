--[[ retention-trim: delete what the queue's retention setting no longer keeps, in a bounded call.

KEYS[1] retention   HASH  sluice:{q}:retention        completed-count, completed-age (ms), dead-count, dead-age
KEYS[2] completed   ZSET  sluice:{q}:completed        kept completed id -> finished-at (µs, Redis clock)
KEYS[3] completed-jobs HASH sluice:{q}:completed-jobs kept completed id -> "deliveries|record"
KEYS[4] dead        ZSET  sluice:{q}:dead             id -> dead-at (ms, Redis clock)
KEYS[5] jobs        HASH  sluice:{q}:jobs
KEYS[6] deliveries  HASH  sluice:{q}:deliveries
KEYS[7] errors      HASH  sluice:{q}:errors
KEYS[8] fingerprints HASH sluice:{q}:dead-fingerprints  dead id -> its group's fingerprint id
KEYS[9] groups      HASH  sluice:{q}:dead-groups        fingerprint id -> label; members in KEYS[9]:G

ARGV[1] max records deleted per kind (completed, dead) in this call

Returns { completedDeleted, deadDeleted, more }  more = 1 when a kind used its whole budget

Invariants
  - kept completed records beyond completed-count (oldest first) or finished longer than
    completed-age ago are deleted, as lua/settle.lua trims them
  - only when dead-count or dead-age is set (the operator asked for it): the oldest dead letters
    beyond dead-count, or dead longer than dead-age ago, are deleted exactly as lua/dlq-delete.lua
    deletes one (record, deliveries, errors, and its place in its fingerprint group), so the
    groups' counts stay exact
  - unset, the call reads one hash and writes nothing
]]
-- @include unfile
-- @include trim
local budget = tonumber(ARGV[1])
local setting = redis.call('HMGET', KEYS[1], 'completed-count', 'completed-age', 'dead-count', 'dead-age')
local out = { 0, 0, 0 }
if not (setting[1] or setting[2] or setting[3] or setting[4]) then
  return out
end
local t = redis.call('TIME')
local nowUs = t[1] * 1000000 + t[2]

local completedAge = tonumber(setting[2])
out[1] = trimKept(KEYS[2], KEYS[3], tonumber(setting[1]), completedAge and (nowUs - completedAge * 1000), budget)

local deadAge = tonumber(setting[4])
local dead = {}
if setting[3] or setting[4] then
  dead = expired(KEYS[4], tonumber(setting[3]), deadAge and (math.floor(nowUs / 1000) - deadAge), budget)
end
if #dead > 0 then
  redis.call('ZREM', KEYS[4], unpack(dead))
  redis.call('HDEL', KEYS[5], unpack(dead))
  redis.call('HDEL', KEYS[6], unpack(dead))
  redis.call('HDEL', KEYS[7], unpack(dead))
  -- as dlq-delete.lua: leave the fingerprint group; a group that empties is forgotten
  for _, id in ipairs(dead) do
    unfile(KEYS[8], KEYS[9], id)
  end
  out[2] = #dead
end
if out[1] == budget or #dead == budget then
  out[3] = 1
end
return out
