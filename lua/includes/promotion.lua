-- Moving jobs to the head of their waiting lists: the tail, where acquire RPOPs. `pending` is
-- sluice:{q}:pending; with `prioritised` (sluice:{q}:priorities exists) each job goes to the list
-- its record names, read from `jobs` (sluice:{q}:jobs). Needs the priority include before it.

-- Pushes `ids` (earliest to run first) with their `records` to the heads of their lists, so the
-- first of each list runs next.
local function toHeads(pending, ids, records)
  local lists = {}
  for i = #ids, 1, -1 do
    local list = listOf(pending, records[i])
    lists[list] = lists[list] or {}
    table.insert(lists[list], ids[i])
  end
  for list, group in pairs(lists) do
    redis.call('RPUSH', list, unpack(group))
  end
end

-- Promotes up to `limit` jobs of `delayed` (sluice:{q}:delayed) due by `now` to the heads of their
-- lists, earliest due first; returns how many it promoted.
local function promoteDue(delayed, jobs, pending, now, limit, prioritised)
  local due = redis.call('ZRANGEBYSCORE', delayed, '-inf', now, 'LIMIT', 0, limit)
  if #due > 0 then
    redis.call('ZREM', delayed, unpack(due))
    if prioritised then
      toHeads(pending, due, redis.call('HMGET', jobs, unpack(due)))
    else
      local n = #due
      for i = 1, math.floor(n / 2) do
        due[i], due[n - i + 1] = due[n - i + 1], due[i]
      end
      redis.call('RPUSH', pending, unpack(due))
    end
  end
  return #due
end
