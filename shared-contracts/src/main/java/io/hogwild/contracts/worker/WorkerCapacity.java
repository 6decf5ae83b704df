package io.hogwild.contracts.worker;

/**
 * What a GPU worker can still take on. Its sessions share one joint forward pass per lockstep pass (continuous
 * batching), so the limits are memory and the tokens one pass may hold, not threads.
 *
 * @param maxSessions configured cap on sessions at once
 * @param activeSessions sessions prefilling or running now
 * @param passTokenBudget most tokens one joint pass holds: every session's decode tokens, then prefill chunks
 * @param decodeTokensReserved decode tokens per pass the active sessions take (one per worker); admission keeps
 *     room for one prefill chunk beside them
 * @param cacheBudgetBytes cache memory all sessions and the shared prompt prefixes may take
 * @param cacheBytesFree what admission may still reserve of it
 * @param prefixCacheBytes bytes of shared prompt prefixes held now (counted in the budget)
 * @param prefixCacheEntries shared prompt prefixes held now
 */
public record WorkerCapacity(int maxSessions, int activeSessions, int passTokenBudget, int decodeTokensReserved,
                             long cacheBudgetBytes, long cacheBytesFree, long prefixCacheBytes,
                             int prefixCacheEntries) {}
