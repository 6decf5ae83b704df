package io.hogwild.contracts.run;

import java.util.List;

/**
 * One distinct answer of a run and who gave it.
 *
 * @param answer the content of a valid {@code \boxed{...}}
 * @param by the workers that wrote it, in order of first appearance; {@code finisher} for the finisher pass
 */
public record AnswerGiven(String answer, List<String> by) {

    /** The name {@link #by} uses for the finisher pass, which is not a worker. */
    public static final String FINISHER = "finisher";
}
