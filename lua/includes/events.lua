-- Appends one entry to the queue's event stream (sluice:{q}:events): `type` and the ids of this
-- call, comma-separated; the entry id is the Redis time. One entry per call and type, never one
-- per job; trimmed to about EVENTS_KEPT entries. pcall: an event that cannot be written (Redis
-- over maxmemory) must not undo the change it describes, which is already made.
local EVENTS_KEPT = 10000
local function emit(stream, type, ids)
  if #ids > 0 then
    redis.pcall('XADD', stream, 'MAXLEN', '~', EVENTS_KEPT, '*', 'type', type, 'ids', table.concat(ids, ','))
  end
end
