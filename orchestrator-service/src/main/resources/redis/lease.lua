-- The lease that makes one orchestrator instance the one dispatching or recording a run.
-- KEYS: the run's lease key
-- ARGV: instance id, lease (ms), mode: 'hold' takes it when free and renews it when ours; 'take' only takes it
--       when free (a takeover must not pick up what this instance is busy with itself); 'release' gives it up if ours
-- Returns 1 when this instance holds it now (or released it), 0 otherwise.
local holder = redis.call('GET', KEYS[1])
if ARGV[3] == 'take' then
  if holder then
    return 0
  end
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if ARGV[3] == 'release' then
  if holder == ARGV[1] then
    redis.call('DEL', KEYS[1])
  end
  return 1
end
if holder and holder ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
