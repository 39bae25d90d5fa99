--[[ progress: store the latest progress of running jobs, fenced by their lease tokens.

KEYS[1] deliveries  HASH  sluice:{q}:deliveries  id -> delivery count (the lease's token while leased)
KEYS[2] progress    HASH  sluice:{q}:progress    id -> progress JSON of the running attempt

ARGV triples: id, token, progress JSON (at most 1000 triples; the wrapper enforces it)

Returns the number of entries written.

Invariants
  - an entry is written only while its job is leased under that token, so a stale worker cannot
    write over the progress of the attempt that replaced it, nor bring back a finished job's
  - settle.lua and reap.lua delete a job's entry when its attempt ends
]]
local fields = {}
for i = 1, #ARGV, 3 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    fields[#fields + 1] = ARGV[i]
    fields[#fields + 1] = ARGV[i + 2]
  end
end
if #fields > 0 then
  redis.call('HSET', KEYS[2], unpack(fields))
end
return #fields / 2
