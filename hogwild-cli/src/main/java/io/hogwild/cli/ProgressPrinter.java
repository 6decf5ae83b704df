package io.hogwild.cli;

import tools.jackson.databind.JsonNode;
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
    private String status;
    private String finishReason;
    private String failure;
    private boolean ended;

    public ProgressPrinter(PrintStream out) {
        this.out = out;
    }

    /** Handles one SSE event; the type comes from the JSON {@code type}, else from the SSE event name. */
    public void accept(String eventName, JsonNode event) {
        String type = text(event, "type");
        type = (type != null ? type : eventName).toLowerCase(Locale.ROOT);
        String worker = text(event, "worker");
        switch (type) {
            case "step_finished" -> out.println(stepLine(worker, event.path("step"), text(event, "text")));
            case "budget_exhausted" -> out.println(worker + ": token budget used up, asked for the answer");
            case "final_answer" -> answer = text(event, "text");
            case "error" -> failure = text(event, "text");
            case "run_ended" -> {
                JsonNode data = event.path("data");
                status = text(data, "status");
                finishReason = text(data, "finish_reason");
                if (text(event, "text") != null) {
                    failure = text(event, "text");
                }
                ended = true;
            }
            default -> { } // queued/started/prefill/promotion/tokens: nothing a reader needs line by line
        }
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
        String s = status == null ? "UNKNOWN" : status.toUpperCase(Locale.ROOT);
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

    static String stepLine(String worker, JsonNode step, String text) {
        String who = worker == null ? "?" : worker;
        String number = step.isNumber() ? " [" + step.asInt() + "]" : "";
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

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isNull() || value.isMissingNode() ? null : value.asString();
    }
}
