-- Takes a run out of the queue (it was cancelled): out of its client's list and pending, and its client out of the
-- ring when it has nothing queued any more.
-- KEYS: the client's list, ring, pending
-- ARGV: run id, client
-- Returns the number of entries removed from the client's list.
local removed = redis.call('LREM', KEYS[1], 0, ARGV[1])
redis.call('LREM', KEYS[3], 0, ARGV[1])
if redis.call('LLEN', KEYS[1]) == 0 then
  redis.call('LREM', KEYS[2], 0, ARGV[2])
end
return removed
