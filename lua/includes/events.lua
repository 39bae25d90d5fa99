-- Appends one entry to the queue's event stream (sluice:{q}:events): `type` and the ids of this
-- call, comma-separated; the entry id is the Redis time. One entry per call and type, never one
-- per job; trimmed to about EVENTS_KEPT entries. Only while the stream exists (Queue.setEvents
-- creates it): a queue without events pays one EXISTS per call. pcall: an event that cannot be
-- written (Redis over maxmemory) must not undo the change it describes, which is already made.
-- The caller defines nothing.
local EVENTS_KEPT = 10000
local eventsOn
local function emit(stream, type, ids)
  if #ids == 0 then
    return
  end
  if eventsOn == nil then
    eventsOn = redis.call('EXISTS', stream) == 1
  end
  if eventsOn then
    redis.pcall('XADD', stream, 'MAXLEN', '~', EVENTS_KEPT, '*', 'type', type, 'ids', table.concat(ids, ','))
  end
end
