package io.hogwild.contracts.run;

import io.hogwild.contracts.worker.SessionPlan;

/**
 * The admin view of one run: its status and the session plan that was sent to the GPU worker.
 *
 * @param run status, timings and per-worker progress
 * @param plan the plan (blocks, views, policy, sampling); null before it was built
 * @param eventCount events recorded so far
 */
public record RunDetail(RunView run, SessionPlan plan, long eventCount) {}
