-- Puts a claimed run back where it was: at the head of its client's list, its client at the head of the ring (it
-- keeps its turn), so per-client FIFO order holds. Only the instance holding the run's lease may do so, and only
-- while the run is still QUEUED; the claim and the lease are dropped either way.
-- KEYS: the client's list, ring, pending, dispatching, drained, the run's lease, run hash
-- ARGV: run id, client, instance id
-- Returns 1 when the run is back in the queue, 0 otherwise.
if redis.call('GET', KEYS[6]) ~= ARGV[3] then
  return 0
end
redis.call('DEL', KEYS[6])
if redis.call('SREM', KEYS[4], ARGV[1]) == 0 then
  return 0
end
redis.call('ZREM', KEYS[5], ARGV[1])
if redis.call('HGET', KEYS[7], 'status') ~= 'QUEUED' then
  return 0
end
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LREM', KEYS[2], 0, ARGV[2])
redis.call('LPUSH', KEYS[2], ARGV[2])
redis.call('LPUSH', KEYS[3], ARGV[1])
return 1
