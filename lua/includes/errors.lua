-- A job's error list: the errors hash (sluice:{q}:errors) maps its id to a JSON array of error
-- entries, which src/job/failure.ts decodes. The caller defines nothing.

-- Appends `entry`, one JSON object, to the error list of job `id` in hash `errors`.
local function appendError(errors, id, entry)
  local previous = redis.call('HGET', errors, id)
  if previous then
    redis.call('HSET', errors, id, string.sub(previous, 1, -2) .. ',' .. entry .. ']')
  else
    redis.call('HSET', errors, id, '[' .. entry .. ']')
  end
end

-- The entry src/job/failure.ts (encodeErrorEntry) writes for an error without a stack, to the
-- byte: the same keys in the same order. `name`, `message` and `reason` go in as they are, so
-- they must need no JSON escaping; `at` is a time in ms.
local function errorEntry(name, message, reason, at)
  return '{"name":"' .. name .. '","message":"' .. message .. '","reason":"' .. reason .. '","at":' .. at .. '}'
end
