-- Claims the next run in round-robin order: the ring's head client gives up its oldest run and moves to the tail
-- (or leaves the ring when it has no more). The claim and the run's lease are taken in the same step, so two
-- orchestrators never claim one run. Entries whose run is no longer QUEUED (cancelled) are dropped on the way.
-- KEYS: ring, pending, dispatching, drained
-- ARGV: client list key prefix, run key prefix, instance id, lease (ms), now (ms), drain window (ms)
-- Returns 'runId\nclient', or false when nothing is queued.
while true do
  local client = redis.call('LINDEX', KEYS[1], 0)
  if not client then
    return false
  end
  local list = ARGV[1] .. client
  local id = redis.call('LPOP', list)
  if redis.call('LLEN', list) > 0 then
    redis.call('LMOVE', KEYS[1], KEYS[1], 'LEFT', 'RIGHT')
  else
    redis.call('LPOP', KEYS[1])
  end
  if id then
    redis.call('LREM', KEYS[2], 1, id)
    if redis.call('HGET', ARGV[2] .. id, 'status') == 'QUEUED' then
      redis.call('SADD', KEYS[3], id)
      redis.call('SET', ARGV[2] .. id .. ':owner', ARGV[3], 'PX', ARGV[4])
      redis.call('ZADD', KEYS[4], ARGV[5], id)
      redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. (tonumber(ARGV[5]) - tonumber(ARGV[6])))
      return id .. '\n' .. client
    end
  end
end
