-- The 1-based place of a queued run in round-robin order: how many runs are dispatched up to and including it if
-- nothing else arrives. With i its index in its client's list, every other client d gives min(len(d), i) runs
-- before it, plus one more when d is ahead of its client in the ring.
-- KEYS: ring, the client's list, dispatching
-- ARGV: run id, client, client list key prefix
-- Returns the position, 0 while the run is claimed (being dispatched), -1 when it is not in the queue.
local i = redis.call('LPOS', KEYS[2], ARGV[1])
if not i then
  if redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 1 then
    return 0
  end
  return -1
end
local position = i + 1
local ahead = 1
for _, other in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  if other == ARGV[2] then
    ahead = 0
  else
    position = position + math.min(redis.call('LLEN', ARGV[3] .. other), i + ahead)
  end
end
return position
