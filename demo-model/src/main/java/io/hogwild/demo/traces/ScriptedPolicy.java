package io.hogwild.demo.traces;

import io.hogwild.demo.problems.Item;
import io.hogwild.demo.problems.ItemProblem;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The collaboration the demo model learns, as rules over what a worker sees at the moment it chooses:
 * <ul>
 *   <li>an item is <em>done</em> once its result is visible anywhere (history, or what another worker's block
 *       holds);</li>
 *   <li>an item is <em>claimed</em> while another worker's current step names it (its letter comes first);</li>
 *   <li>when every result is visible, write the final answer, on a line of its own (the step then ends);</li>
 *   <li>otherwise take the first item that is neither done nor claimed, except that workers choosing in the same
 *       lockstep pass (their current step is still just its prefix, or ends with "taken. ") split the open items in
 *       worker order, so the second of two simultaneous choosers takes the second open item;</li>
 *   <li>a worker that sees the others' finished steps but not their current ones (the interleaved layout) cannot see
 *       claims: it assumes every worker chooses when it does and takes the open item at its own position in worker
 *       order (the third worker the third open item); with items finished in lockstep, the split is the same;</li>
 *   <li>nothing open: write a short waiting step, and choose again after it;</li>
 *   <li>having written a letter someone else already claimed or finished (the traces contain such deliberate
 *       mistakes), say it is taken and choose again.</li>
 * </ul>
 */
public final class ScriptedPolicy {

    public static final String WAIT = "Wait.\n\n";
    public static final String TAKEN = " taken. ";
    private static final Pattern RESULT = Pattern.compile("([A-Z]): \\d[-+*]\\d=\\d");
    private static final Pattern CLAIM = Pattern.compile("([A-Z])(?=:|$)");

    private ScriptedPolicy() {
    }

    /**
     * Another worker whose block the worker reads: its index (worker order), everything of it the view shows outside
     * the history, and the text it chose in its current step (after the prefix and opening line).
     */
    public record OtherStep(int index, String visible, String body) {}

    /** How much of the other workers' text a layout shows a worker. */
    public enum Sight {
        /** Their current steps as they are written (combined, contiguous): claims are visible. */
        LIVE,
        /** Only their finished steps, through the shared history (interleaved): claims are not. */
        FINISHED_STEPS,
        /** Nothing of theirs (independent, single). */
        NONE
    }

    /**
     * What a worker sees: the finished steps in its view (history, its own earlier steps), the other workers' blocks,
     * and its own current step's text so far; {@code sight} says which of the others' text the layout shows at all.
     */
    public record Observation(Sight sight, List<String> history, List<OtherStep> others, String ownBody) {}

    /** What to write next, with the kind of each character. */
    public record Choice(String text, List<CharKind> kinds) {}

    public static Choice choose(ItemProblem problem, String name, int index, Observation seen, boolean err,
                                Random random) {
        Set<Character> done = new LinkedHashSet<>();
        seen.history().forEach(h -> results(h, done));
        seen.others().forEach(o -> results(o.visible(), done));
        Set<Character> claimed = new LinkedHashSet<>();
        int choosingBefore = 0;
        for (OtherStep o : seen.others()) {
            if (o.body().isEmpty() || o.body().endsWith(TAKEN)) {
                choosingBefore += o.index() < index ? 1 : 0;
            } else {
                lastClaim(o.body()).ifPresent(claimed::add);
            }
        }
        if (done.containsAll(problem.letters())) {
            return answer(problem);
        }
        List<Character> open = new ArrayList<>();
        for (char letter : problem.letters()) {
            if (!done.contains(letter) && !claimed.contains(letter)) {
                open.add(letter);
            }
        }
        if (err) {
            List<Character> unavailable = new ArrayList<>(claimed);
            done.stream().filter(l -> !claimed.contains(l)).forEach(unavailable::add);
            unavailable.removeIf(l -> seen.ownBody().contains(l + TAKEN));
            if (!unavailable.isEmpty()) {
                char wrong = unavailable.get(random.nextInt(unavailable.size()));
                List<CharKind> kinds = new ArrayList<>();
                kinds.add(CharKind.MISTAKE);
                TAKEN.chars().forEach(c -> kinds.add(CharKind.DECISION));
                return new Choice(wrong + TAKEN, kinds);
            }
        }
        if (seen.sight() == Sight.FINISHED_STEPS) {
            choosingBefore = index; // every other worker may be choosing right now, unseen
        }
        if (choosingBefore < open.size()) {
            return work(problem.item(open.get(choosingBefore)));
        }
        return decisionThenWork(WAIT);
    }

    /** Letters whose results appear in {@code text}. */
    static void results(String text, Set<Character> into) {
        Matcher m = RESULT.matcher(text);
        while (m.find()) {
            into.add(m.group(1).charAt(0));
        }
    }

    /** The item a step currently claims: its last letter not marked as taken. */
    static java.util.Optional<Character> lastClaim(String body) {
        Matcher m = CLAIM.matcher(body);
        Character last = null;
        while (m.find()) {
            last = m.group(1).charAt(0);
        }
        return java.util.Optional.ofNullable(last);
    }

    /**
     * {@code C: 0+5=5. C=5.} and a blank line: the letter is the choice, the expression is looked up in the problem and
     * the result computed from it.
     */
    private static Choice work(Item item) {
        String text = item.work() + "\n\n";
        List<CharKind> kinds = new ArrayList<>();
        int expression = text.indexOf(' ') + 1;
        for (int i = 0; i < text.length(); i++) {
            boolean content = i >= expression && i < expression + item.expression().length()
                    || i == expression + item.expression().length() + 1;
            kinds.add(i == 0 ? CharKind.DECISION : content ? CharKind.LOOKUP : CharKind.WORK);
        }
        return new Choice(text, kinds);
    }

    /** {@code \boxed{A3B9...}} and a blank line: each result is looked up in the step that computed it. */
    private static Choice answer(ItemProblem problem) {
        String text = "\\boxed{" + problem.answer() + "}\n\n";
        List<CharKind> kinds = new ArrayList<>();
        int open = text.indexOf('{');
        for (int i = 0; i < text.length(); i++) {
            boolean result = i > open && Character.isDigit(text.charAt(i));
            kinds.add(i == 0 ? CharKind.DECISION : result ? CharKind.LOOKUP : CharKind.WORK);
        }
        return new Choice(text, kinds);
    }

    private static Choice decisionThenWork(String text) {
        List<CharKind> kinds = new ArrayList<>();
        for (int i = 0; i < text.length(); i++) {
            kinds.add(i == 0 ? CharKind.DECISION : CharKind.WORK);
        }
        return new Choice(text, kinds);
    }
}
