-- Moves a run to a new status only if it is in one of the allowed ones, atomically with the status index, any fields
-- given and the lifecycle event that goes with it (RUN_STARTED, RUN_ENDED): a final status is never overwritten,
-- failure data is written once, and a repeated call never appends a second event.
-- KEYS: run hash, then the status sets of QUEUED, RUNNING, FINISHED, FAILED, CANCELLED, then the run event stream
-- ARGV: allowed current statuses (comma separated), target status, run id, event json ('' for none), then
--       field/value pairs
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
for i = 5, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
local created = redis.call('HGET', KEYS[1], 'created_at') or '0'
redis.call('ZREM', KEYS[index[current]], ARGV[3])
redis.call('ZADD', KEYS[index[ARGV[2]]], created, ARGV[3])
if ARGV[4] ~= '' then
  redis.call('XADD', KEYS[7], '*', 'e', ARGV[4])
end
return 'OK'
