package io.hogwild.cli;

import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.event.EventData.BudgetExhausted;
import io.hogwild.contracts.event.EventData.FinalAnswer;
import io.hogwild.contracts.event.EventData.RunEnded;
import io.hogwild.contracts.event.EventData.StepFinished;
import io.hogwild.contracts.run.RunEvent;
import io.hogwild.contracts.run.RunStatus;
import java.io.PrintStream;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Prints a run's events as a person wants to read them: one line per finished step ({@code Alice [2]: ...}), a
 * note when a worker runs out of budget, and, once the run ended, its outcome ({@link #finish}). Token deltas are
 * not echoed: with several workers writing in lockstep they would interleave mid-word.
 */
public final class ProgressPrinter {

    /** Longest step text shown; a real model's step can be hundreds of tokens. */
    static final int MAX_STEP_CHARS = 240;

    private static final Pattern STEP_PREFIX = Pattern.compile("^\\s*\\*\\*[^*\\n]{1,40}\\[\\d+\\]:\\*\\*\\s*");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}&&[^\\t\\n\\r]]");

    private final PrintStream out;
    private String answer;
    private RunStatus status;
    private String finishReason;
    private String failure;
    private boolean ended;

    public ProgressPrinter(PrintStream out) {
        this.out = out;
    }

    /** Handles one event of the run (its data is null when this client does not know its type). */
    public void accept(RunEvent event) {
        EventData data = event.data();
        if (data instanceof StepFinished step) {
            out.println(stepLine(step.worker(), step.step(), step.text()));
        } else if (data instanceof BudgetExhausted budget) {
            out.println(budget.worker() + ": token budget used up");
        } else if (data instanceof FinalAnswer written) {
            answer = written.answer();
        } else if (data instanceof EventData.Error error) {
            failure = error.message();
        } else if (data instanceof RunEnded end) {
            status = end.status();
            finishReason = end.finishReason();
            if (end.failureReason() != null) {
                failure = end.failureReason();
            }
            ended = true;
        }
        // Anything else (queued, started, prefill, tokens, promotions...): nothing a reader needs line by line.
    }

    public boolean ended() {
        return ended;
    }

    public String answer() {
        return answer;
    }

    /** Lets the caller fill in the answer from the run's record when the stream did not carry it. */
    public void answerIfMissing(String recorded) {
        if (answer == null && recorded != null && !recorded.isBlank()) {
            answer = recorded;
        }
    }

    /** Prints the outcome line and returns the exit code: 0 when the run finished (answer or not), 1 otherwise. */
    public int finish() {
        String s = status == null ? "UNKNOWN" : status.name();
        switch (s) {
            case "FINISHED" -> {
                if (answer != null) {
                    out.println("Answer: " + answer);
                } else if (finishReason == null || "budget".equalsIgnoreCase(finishReason)) {
                    out.println("No answer (budget exhausted)");
                } else {
                    out.println("No answer (" + finishReason + ")");
                }
                return 0;
            }
            case "CANCELLED" -> {
                out.println("Run cancelled" + (answer != null ? " (last answer: " + answer + ")" : ""));
                return 1;
            }
            default -> {
                out.println("Run " + s.toLowerCase(Locale.ROOT) + (failure != null ? ": " + oneLine(failure) : ""));
                return 1;
            }
        }
    }

    static String stepLine(String worker, int step, String text) {
        String who = worker == null ? "?" : worker;
        String number = " [" + step + "]";
        // The step's text starts with the prefix the worker was fed ("**Alice [2]:** "): the line has its own.
        String body = oneLine(STEP_PREFIX.matcher(text == null ? "" : text).replaceFirst(""));
        if (body.length() > MAX_STEP_CHARS) {
            body = body.substring(0, MAX_STEP_CHARS - 1).stripTrailing() + "…";
        }
        return who + number + ": " + body;
    }

    /**
     * All whitespace runs (newlines included) as one space, so that a step is one line; control characters (a
     * random-weights model writes them) would garble the terminal and go too.
     */
    static String oneLine(String text) {
        return CONTROL.matcher(text).replaceAll(" ").strip().replaceAll("\\s+", " ");
    }
}
