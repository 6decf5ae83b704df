-- Appends one GPU worker event to a run's log exactly once and only in order: its session seq must be the last
-- recorded one + 1. A resumed stream, or a second recorder of the same run, repeats events (skipped); an event after
-- a gap is refused, so the recorder reconnects after the last recorded seq. Per-worker counters move in the same step.
-- KEYS: run hash, run event stream
-- ARGV: session seq, event json, worker ('' if none), type, step ('' if none), token count, answer ('' if none),
--       'done' when the event stops the worker ('' otherwise)
-- Returns 'appended:<stream id>', 'duplicate:<last seq>', 'gap:<last seq>', or 'missing' (no such run).
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 'missing'
end
local last = tonumber(redis.call('HGET', KEYS[1], 'last_session_seq') or '0')
local seq = tonumber(ARGV[1])
if seq <= last then
  return 'duplicate:' .. last
end
if seq ~= last + 1 then
  return 'gap:' .. last
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
return 'appended:' .. id
