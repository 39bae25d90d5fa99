--[[ oldest-waiting: when the longest-waiting job at the head of a waiting list was added, for
/metrics. Read-only: it writes nothing. A script because the head's id and its record are two
dependent reads, and /metrics reads a queue in one MULTI (one round trip, one instant).

KEYS[1]    jobs  HASH  sluice:{q}:jobs  id -> record "enqueuedAt|base|opts|payload"
KEYS[2..]  waiting  LIST  sluice:{q}:pending[:<priority>]  the waiting lists, each LPUSH in, RPOP out (so
           its head, the next to run, is its last element): pending and the priority lists

ARGV none

Returns the smallest enqueuedAt (ms, Redis clock) among the lists' heads, or -1 when every list
is empty (or no head has a record that starts with a time).

Invariants
  - reads only the last element of each list and one record per list: O(lists), whatever the backlog
]]
local oldest = -1
for i = 2, #KEYS do
  local id = redis.call('LINDEX', KEYS[i], -1)
  if id then
    local at = tonumber(string.match(redis.call('HGET', KEYS[1], id) or '', '^(%d+)|'))
    if at and (oldest == -1 or at < oldest) then oldest = at end
  end
end
return oldest
