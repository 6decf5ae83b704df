package io.hogwild.orchestrator.run;

import io.hogwild.contracts.run.RunStatus;

/**
 * The Redis layout of runs. One hash per run, one stream per run's event log, sorted sets (score = creation time) for
 * listing all runs and runs by status.
 */
final class RunKeys {

    static final String ALL = "hogwild:runs:all";
    /** What every run's keys start with (scripts that find a run's hash or lease by id build them from it). */
    static final String RUN_PREFIX = "hogwild:run:";
    static final String OWNER_SUFFIX = ":owner";

    private RunKeys() {
    }

    static String run(String runId) {
        return RUN_PREFIX + runId;
    }

    static String events(String runId) {
        return RUN_PREFIX + runId + ":events";
    }

    static String owner(String runId) {
        return RUN_PREFIX + runId + OWNER_SUFFIX;
    }

    static String byStatus(RunStatus status) {
        return "hogwild:runs:status:" + status.name();
    }

    /** Hash fields. Per-worker counters are {@code w:{name}:steps|tokens|step|state}. */
    static final class Field {
        static final String RUN_ID = "run_id";
        static final String STATUS = "status";
        static final String LAYOUT = "layout";
        static final String WORKERS = "workers";
        static final String MODEL = "model";
        static final String GPU_WORKER = "gpu_worker";
        static final String GPU_WORKER_URL = "gpu_worker_url";
        static final String SESSION_ID = "session_id";
        static final String CREATED_AT = "created_at";
        static final String STARTED_AT = "started_at";
        static final String FINISHED_AT = "finished_at";
        static final String FINAL_ANSWER = "final_answer";
        static final String ANSWERS = "answers";
        static final String ANSWERS_DISAGREE = "answers_disagree";
        static final String FINISH_REASON = "finish_reason";
        static final String FAILURE_REASON = "failure_reason";
        static final String REQUEST = "request";
        static final String PLAN = "plan";
        static final String LAST_SESSION_SEQ = "last_session_seq";
        /** JSON list of {@code RunResumption}, appended by resume.lua. */
        static final String RESUMED = "resumed";
        /** Whose queue the run joined (the API key's name). */
        static final String CLIENT = "client";
        /** The seed resolved at creation, for a plan built at dispatch. */
        static final String SEED = "seed";

        private Field() {
        }

        static String worker(String name, String counter) {
            return "w:" + name + ":" + counter;
        }
    }
}
