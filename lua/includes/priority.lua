-- A job's priority: the 8th field of its option header (src/job/job-options.ts writes it only for
-- 1 2 4 5; 3, the default, is not written). The field ends at the header's '|' or at the ';' before
-- a traced job's trace context (src/tracing/carrier.ts). A job with a priority waits in its
-- priority list, `pending`:<priority> (sluice:{q}:pending:<priority>); one without, in pending.
-- A record with a priority implies sluice:{q}:priorities exists (enqueue.lua sets it first), so
-- acquire reads the priority lists: a script that moves a job back to its list needn't set it.
-- The caller defines nothing.
local PRIORITY_FIELD = '[^,|;]*,[^,|;]*,[^,|;]*,[^,|;]*,[^,|;]*,[^,|;]*,[^,|;]*,([1245])[|;]'
-- the priority in "opts|payload", as a producer sends a job and a schedule stores one
local BODY_PRIORITY = '^' .. PRIORITY_FIELD
-- the priority in a stored record, "enqueuedAt|base|opts|payload"
local RECORD_PRIORITY = '^%d+|%d+|' .. PRIORITY_FIELD

-- The list a job waits in, from its record (nil: pending).
local function listOf(pending, record)
  local priority = record and string.match(record, RECORD_PRIORITY)
  return priority and pending .. ':' .. priority or pending
end
