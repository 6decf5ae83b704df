package io.hogwild.contracts.run;

/**
 * One time a run's session was rebuilt on another GPU worker after its own went away.
 *
 * @param fromWorker the GPU worker that went away
 * @param toWorker the GPU worker that went on
 * @param atLockstep the last lockstep pass recorded before it
 */
public record RunResumption(String fromWorker, String toWorker, long atLockstep) {}
