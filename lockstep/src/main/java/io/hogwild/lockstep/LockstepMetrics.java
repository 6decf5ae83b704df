package io.hogwild.lockstep;

/** What the lockstep loop reports to whoever measures it (the GPU worker's meters; nothing in tools and tests). */
public interface LockstepMetrics {

    /** Nothing is measured. */
    LockstepMetrics NONE = new LockstepMetrics() {
        @Override
        public void lockstepPass(long nanos) {
        }

        @Override
        public void tokensGenerated(int n) {
        }
    };

    /** One joint forward pass of a session's active workers, sampling and policy included. */
    void lockstepPass(long nanos);

    /** Tokens the workers chose (the finisher pass is not counted). */
    void tokensGenerated(int n);
}
