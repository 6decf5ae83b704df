package io.hogwild.orchestrator.run;

/**
 * How much of a model's context a run needs: every worker's view holds the prompt and (in the shared layouts) every
 * worker's writing: its budget, the finisher, and room for step prefixes and self-checks (an eighth of the budget
 * plus a margin).
 *
 * @param context the model's context, in tokens
 * @param promptTokens the rendered collaboration prompt
 * @param finisherTokens the finisher's budget per worker
 * @param writersPerView how many workers' writing one view holds: all of them when they share the cache, else 1
 */
record ContextBudget(int context, int promptTokens, int finisherTokens, int writersPerView) {

    private static final int PROMPT_MARGIN = 64;
    private static final int WORKER_MARGIN = 64;

    /** Context tokens a run with {@code budget} tokens per worker needs. */
    long needed(int budget) {
        long perWorker = (long) budget + finisherTokens + WORKER_MARGIN + budget / 8;
        return promptTokens + PROMPT_MARGIN + perWorker * writersPerView;
    }

    /** The largest budget per worker that fits the context; 0 when not even one token does. */
    int largestFitting() {
        long room = (context - promptTokens - PROMPT_MARGIN) / writersPerView - finisherTokens - WORKER_MARGIN;
        if (room < 1) {
            return 0;
        }
        // budget + budget / 8 <= room: start from the real solution and settle on the integer one.
        int budget = (int) Math.min(Integer.MAX_VALUE, room * 8 / 9);
        while (budget > 0 && needed(budget) > context) {
            budget--;
        }
        while (needed(budget + 1) <= context) {
            budget++;
        }
        return budget;
    }
}
