-- Appends one GPU worker event to a run's log exactly once (a resumed stream may repeat events: they are skipped by
-- their session seq) and updates the per-worker counters in the same step.
-- KEYS: run hash, run event stream
-- ARGV: session seq, event json, worker ('' if none), type, step ('' if none), token count, answer ('' if none),
--       'done' when the event stops the worker ('' otherwise)
-- Returns the stream id, or false when the event was already recorded or the run does not exist.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return false
end
local last = tonumber(redis.call('HGET', KEYS[1], 'last_session_seq') or '0')
if tonumber(ARGV[1]) <= last then
  return false
end
redis.call('HSET', KEYS[1], 'last_session_seq', ARGV[1])
local id = redis.call('XADD', KEYS[2], '*', 'e', ARGV[2])
local w = ARGV[3]
local t = ARGV[4]
if w ~= '' then
  local prefix = 'w:' .. w .. ':'
  if t == 'STEP_STARTED' then
    redis.call('HINCRBY', KEYS[1], prefix .. 'steps', 1)
    if ARGV[5] ~= '' then
      redis.call('HSET', KEYS[1], prefix .. 'step', ARGV[5])
    end
    if redis.call('HGET', KEYS[1], prefix .. 'state') ~= 'done' then
      redis.call('HSET', KEYS[1], prefix .. 'state', 'generating')
    end
  elseif t == 'TOKENS' then
    redis.call('HINCRBY', KEYS[1], prefix .. 'tokens', tonumber(ARGV[6]))
  end
  if ARGV[8] == 'done' then
    redis.call('HSET', KEYS[1], prefix .. 'state', 'done')
  end
end
-- The session's one answer (FINAL_ANSWER comes once, after the workers stopped and the finisher, if any, ran).
if t == 'FINAL_ANSWER' then
  redis.call('HSET', KEYS[1], 'final_answer', ARGV[7])
end
return id
