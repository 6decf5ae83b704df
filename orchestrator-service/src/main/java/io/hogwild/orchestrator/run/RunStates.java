package io.hogwild.orchestrator.run;

import io.hogwild.contracts.run.RunStatus;
import java.util.EnumSet;
import java.util.Set;

/** Which statuses are final, and which a run may leave. */
public final class RunStates {

    public static final Set<RunStatus> ACTIVE = EnumSet.of(RunStatus.QUEUED, RunStatus.RUNNING);

    private RunStates() {
    }

    public static boolean isFinal(RunStatus status) {
        return !ACTIVE.contains(status);
    }
}
