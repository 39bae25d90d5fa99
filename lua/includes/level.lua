-- The list a job waits in: `pending` (sluice:{q}:pending), or `pending`:<level> when its record's
-- option header carries a priority (its 8th field; see src/job/job-options.ts). The field ends at
-- the record's '|' or at the ';' before a traced job's trace context (src/tracing/carrier.ts).
local function listOf(pending, record)
  local level = record and string.match(record,
    '^%d+|%d+|[^,|;]*,[^,|;]*,[^,|;]*,[^,|;]*,[^,|;]*,[^,|;]*,[^,|;]*,([1245])[|;]')
  return level and pending .. ':' .. level or pending
end
