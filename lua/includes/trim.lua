-- Trimming what the retention setting (sluice:{q}:retention) no longer keeps. The caller defines
-- nothing.

-- The oldest members of sorted set `zset` beyond `count` or scored before `oldest` (either nil
-- when unset), at most `budget` of them.
local function expired(zset, count, oldest, budget)
  local gone = {}
  if oldest then
    gone = redis.call('ZRANGEBYSCORE', zset, '-inf', '(' .. string.format('%d', oldest), 'LIMIT', 0, budget)
  end
  if count then
    local over = math.min(redis.call('ZCARD', zset) - #gone - count, budget - #gone)
    if over > 0 then
      for _, id in ipairs(redis.call('ZRANGE', zset, #gone, #gone + over - 1)) do
        gone[#gone + 1] = id
      end
    end
  end
  return gone
end

-- Deletes the kept completed records (`completed` sluice:{q}:completed, id -> finished-at in µs;
-- `records` sluice:{q}:completed-jobs) beyond `count` or finished before `oldest` (µs), at most
-- `budget`; returns how many it deleted.
local function trimKept(completed, records, count, oldest, budget)
  local gone = expired(completed, count, oldest, budget)
  if #gone > 0 then
    redis.call('ZREM', completed, unpack(gone))
    redis.call('HDEL', records, unpack(gone))
  end
  return #gone
end
