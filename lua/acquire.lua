--[[ acquire: lease up to N waiting jobs to one dispatcher (the work is in includes/lease.lua, which
settle.lua shares to lease the capacity it frees in the same call).

KEYS[1] pending     LIST  sluice:{q}:pending
KEYS[2] jobs        HASH  sluice:{q}:jobs        id -> record
KEYS[3] deliveries  HASH  sluice:{q}:deliveries  id -> deliveries so far: positive while leased (it is
                                                   the fencing token), negated while not
KEYS[4] active      ZSET  sluice:{q}:active      id -> lease deadline (ms, Redis clock)
KEYS[5] delayed     ZSET  sluice:{q}:delayed     id -> due time
KEYS[6] paused      STRING sluice:{q}:paused     present while the queue is paused
KEYS[7] limit       HASH  sluice:{q}:limit       max, duration: the rate limit (absent: none);
                                                   used: leases counted in limit-log
KEYS[8] limit-log   ZSET  sluice:{q}:limit-log   "count:id:token" -> Redis time (ms) of one call's
                                                   leases (id and token of its first job keep it unique)
KEYS[9] priorities  STRING sluice:{q}:priorities present once the queue has held a job with a priority;
                                                   then the priority lists KEYS[1]:<priority> (LIST
                                                   sluice:{q}:pending:<priority>, priorities 1 2 4 5) are read too
KEYS[10] events     STREAM sluice:{q}:events  one entry per call and event type: type, ids (see includes/events.lua); 'started'

ARGV[1] max jobs to lease (1..1000)
ARGV[2] lease length in ms
ARGV[3] max delayed jobs to promote first

Returns { now, pendingLeft, nextDue, limitWait, id1, token1, record1, id2, ... }
  now          Redis time in ms when the leases were set
  pendingLeft  LLEN pending (and the priority lists) after the pop (0 when nothing was popped)
  nextDue      due time of the earliest delayed job when nothing was leased, else -1
  limitWait    -1 when the rate limit leaves room for another lease now; else ms (>= 1) until it
               frees a slot: no acquire can lease before then, whether or not this one leased.
               An empty queue replies limitWait -1 (wait for a wake message or nextDue instead).
  token        the job's new delivery count; settle and release must present it

Rate limit: a sliding log, so "at most max leases in ANY window of duration ms" holds exactly
(a fixed window lets 2 x max through across a boundary; GCRA with a burst of max allows
2 x max - 1 in one window). A lease at time t is allowed only if the leases logged in
(t - duration, t] plus this call's stay <= max; every window [a, a + duration) ends at some
lease t whose check covered all leases in [a, t]. One log entry per call (not per job) keeps
the cost at O(calls per window); `used` holds their sum so no call re-reads the whole log.
Entries at or before now - duration are forgotten, oldest first, at most 1,000 per call.
Every lease counts, retries and recovered jobs too: a lease is a new delivery.

Invariants
  - nothing is leased, promoted or forgotten while the queue is paused (reply as for an empty queue)
  - a full window returns before promoting delayed jobs (the janitor's reap promotes them too)
  - with no limit set this costs one HMGET of a missing key and nothing per job
  - due delayed jobs are promoted to the head of pending, earliest first, before the pop; with
    KEYS[9] present, each to the head of its priority list (its record's option header says which)
  - without KEYS[9] this costs one EXISTS per call and nothing per job; with it, jobs are leased
    most urgent priority first (1, 2, then pending as priority 3, then 4, 5), FIFO within a
    priority, and the block is filled across priorities
  - a leased job is in active with deadline now + lease and its delivery count is one higher
    (and positive: a positive count means leased, so settle needs no check of active)
  - an id whose record is gone (deleted while waiting) is dropped, never leased nor counted
  - used = the sum of the counts in limit-log; both are written only after the pop, so under
    OOM the first write is one that frees memory
]]
-- @include events
-- @include priority
-- @include promotion
-- @include lease
return lease({
  pending = KEYS[1],
  jobs = KEYS[2],
  deliveries = KEYS[3],
  active = KEYS[4],
  delayed = KEYS[5],
  paused = KEYS[6],
  limit = KEYS[7],
  limitLog = KEYS[8],
  priorities = KEYS[9],
  events = KEYS[10],
}, tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))
