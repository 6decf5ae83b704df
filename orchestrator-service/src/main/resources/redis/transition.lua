-- Moves a run to a new status only if it is in one of the allowed ones, atomically with the status index and any
-- fields given: a final status is never overwritten, and failure data is written once.
-- KEYS: run hash, then the status sets of QUEUED, RUNNING, FINISHED, FAILED, CANCELLED
-- ARGV: allowed current statuses (comma separated), target status, run id, then field/value pairs
-- Returns 'OK', or the current status when it was not allowed ('' when the run does not exist).
local current = redis.call('HGET', KEYS[1], 'status')
if not current then
  return ''
end
if not string.find(',' .. ARGV[1] .. ',', ',' .. current .. ',', 1, true) then
  return current
end
local index = { QUEUED = 2, RUNNING = 3, FINISHED = 4, FAILED = 5, CANCELLED = 6 }
redis.call('HSET', KEYS[1], 'status', ARGV[2])
for i = 4, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
local created = redis.call('HGET', KEYS[1], 'created_at') or '0'
redis.call('ZREM', KEYS[index[current]], ARGV[3])
redis.call('ZADD', KEYS[index[ARGV[2]]], created, ARGV[3])
return 'OK'
