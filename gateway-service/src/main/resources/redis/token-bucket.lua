-- Per-key token bucket, atomic in Redis so that every gateway replica draws from the same bucket.
-- KEYS[1]  the bucket (hash: tokens, ts)
-- ARGV[1]  capacity (burst)
-- ARGV[2]  refill rate, tokens per minute
-- Returns {allowed (1/0), remaining whole tokens, milliseconds until one token is available (0 when allowed)}.
-- Redis' own clock is used so that replicas with skewed clocks agree.
local capacity = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2]) / 60000.0
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
if now > ts then
  tokens = math.min(capacity, tokens + (now - ts) * per_ms)
  ts = now
end
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) / per_ms)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
-- An idle bucket refills completely after capacity / rate; it can then be forgotten.
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / per_ms) + 1000)
return {allowed, math.floor(tokens), wait}
