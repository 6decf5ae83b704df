package io.hogwild.orchestrator.run;

/**
 * The Redis layout of the run queue under one prefix (see API.md, "Keys"): a list per client, the ring of clients
 * with queued runs, every queued run in arrival order, the runs being dispatched, and recent dispatches.
 */
public record QueueKeys(String prefix) {

    public String clientPrefix() {
        return prefix + "client:";
    }

    public String client(String name) {
        return clientPrefix() + name;
    }

    public String ring() {
        return prefix + "ring";
    }

    /** Every queued run id, oldest first: its length is the queue's depth (what KEDA scales GPU workers on). */
    public String pending() {
        return prefix + "pending";
    }

    public String dispatching() {
        return prefix + "dispatching";
    }

    public String drained() {
        return prefix + "drained";
    }
}
