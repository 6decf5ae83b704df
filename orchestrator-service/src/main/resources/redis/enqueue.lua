-- Records a new run and queues it in one step, or refuses it when the queue is full: a run exists only if accepted.
-- KEYS: run hash, run event stream, runs:all, runs:status:QUEUED, the client's list, ring, pending
-- ARGV: max depth, run id, client, created (millis, the index score), RUN_QUEUED event json, then field/value pairs
-- Returns 'queued:<depth>' (depth including this run) or 'full:<depth>'.
local depth = redis.call('LLEN', KEYS[7])
if depth >= tonumber(ARGV[1]) then
  return 'full:' .. depth
end
for i = 6, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[2])
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[2])
redis.call('XADD', KEYS[2], '*', 'e', ARGV[5])
-- The ring holds exactly the clients with queued runs: a client whose list was empty joins at the tail.
if redis.call('LLEN', KEYS[5]) == 0 then
  redis.call('LREM', KEYS[6], 0, ARGV[3])
  redis.call('RPUSH', KEYS[6], ARGV[3])
end
redis.call('RPUSH', KEYS[5], ARGV[2])
redis.call('RPUSH', KEYS[7], ARGV[2])
return 'queued:' .. (depth + 1)
