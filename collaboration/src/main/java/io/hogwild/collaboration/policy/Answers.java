package io.hogwild.collaboration.policy;

import io.hogwild.contracts.run.AnswerGiven;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The distinct answers of a run and who gave them. Answers are compared with their whitespace removed, so
 * {@code \boxed{x = 2}} and {@code \boxed{x=2}} are one answer (shown as first written).
 */
public final class Answers {

    /** A text one party wrote: a worker's step, or the finisher's output ({@link AnswerGiven#FINISHER}). */
    public record Written(String by, String text) {}

    private Answers() {
    }

    /** Every valid boxed answer in {@code texts}, in order of first appearance, with who wrote it. */
    public static List<AnswerGiven> collect(List<Written> texts) {
        Map<String, String> shown = new LinkedHashMap<>();
        Map<String, Set<String>> by = new LinkedHashMap<>();
        for (Written written : texts) {
            for (String answer : StepText.validBoxed(written.text())) {
                String key = key(answer);
                shown.putIfAbsent(key, answer);
                by.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(written.by());
            }
        }
        List<AnswerGiven> out = new ArrayList<>();
        shown.forEach((key, answer) -> out.add(new AnswerGiven(answer, List.copyOf(by.get(key)))));
        return List.copyOf(out);
    }

    /** {@code answers} with the finisher's answer added. */
    public static List<AnswerGiven> withFinisher(List<AnswerGiven> answers, String finisherAnswer) {
        if (finisherAnswer == null) {
            return answers;
        }
        List<AnswerGiven> out = new ArrayList<>();
        boolean known = false;
        for (AnswerGiven a : answers) {
            if (key(a.answer()).equals(key(finisherAnswer))) {
                List<String> by = new ArrayList<>(a.by());
                by.add(AnswerGiven.FINISHER);
                out.add(new AnswerGiven(a.answer(), List.copyOf(by)));
                known = true;
            } else {
                out.add(a);
            }
        }
        if (!known) {
            out.add(new AnswerGiven(finisherAnswer.strip(), List.of(AnswerGiven.FINISHER)));
        }
        return List.copyOf(out);
    }

    /** More than one distinct answer. */
    public static boolean disagree(List<AnswerGiven> answers) {
        return answers.size() > 1;
    }

    private static String key(String answer) {
        return answer.replaceAll("\\s+", "");
    }
}
