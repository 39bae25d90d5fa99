-- Attempt counting, as src/job/backoff.ts (failureStep) counts for a failed attempt: a job's
-- attempt is its delivery count less its record's base, and it has used all its attempts when that
-- reaches the option header's first field (`defaultAttempts` for a header without one).
-- Needs the record include before it.

-- The attempts a job has used, and whether that is all it may have.
local function attemptsUsed(record, delivered, defaultAttempts)
  local base, opts = baseAndOptions(record)
  local attempts = tonumber(string.match(opts or '', '^(%d+)')) or defaultAttempts
  local used = delivered - (base or 0)
  return used, used >= attempts
end
