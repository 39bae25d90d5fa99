-- A job record, "enqueuedAt|base|opts|payload" (lua/enqueue.lua writes it, src/job/record.ts
-- reads it): enqueuedAt by the Redis clock, base the delivery count its attempts count from
-- (attempt = deliveries - base), opts the option header, payload JSON. The caller defines nothing.

-- The positions of the record's first three '|'; nil from the first one missing (all three for
-- a missing record).
local function separators(record)
  local p1 = record and string.find(record, '|', 1, true)
  local p2 = p1 and string.find(record, '|', p1 + 1, true)
  local p3 = p2 and string.find(record, '|', p2 + 1, true)
  return p1, p2, p3
end

-- The record with `base` in place of its base; p1, p2 are its first two separators.
local function rebased(record, p1, p2, base)
  return string.sub(record, 1, p1) .. base .. string.sub(record, p2)
end

-- The record's base (a number) and option header; nil, nil for a damaged record.
local function baseAndOptions(record)
  local base, opts = string.match(record, '^%d+|(%d+)|([^|]*)|')
  return tonumber(base), opts
end
