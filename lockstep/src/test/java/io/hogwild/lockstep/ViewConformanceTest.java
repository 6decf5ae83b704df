package io.hogwild.lockstep;

import static io.hogwild.lockstep.LockstepLoopTest.MODEL;
import static io.hogwild.lockstep.LockstepLoopTest.PROMPT;
import static io.hogwild.lockstep.LockstepLoopTest.concat;
import static io.hogwild.lockstep.LockstepLoopTest.sentence;
import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.collaboration.prompt.WorkerNames;
import io.hogwild.collaboration.view.ViewRebuilder;
import io.hogwild.contracts.Layout;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.run.WorkerView;
import io.hogwild.contracts.worker.SessionPlan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Conformance of what each worker reads to DESIGN.md ("Collaboration protocol"): a scripted run goes through the real
 * lockstep loop and engine, and at the start of every one of its lockstep passes each worker's view, rebuilt from the
 * event log by the function the admin API uses, must equal the text that {@link #expectedView}, written here from the
 * design's rules alone (not from the plan builder), spells out: the headers, every unfinished step with its marker and
 * blank line, the own step last.
 */
class ViewConformanceTest {

    /** Steps of different lengths, so that steps end at different passes and unfinished steps sit side by side. */
    static final int[][] STEP_LENGTHS = {{3, 5, 4, 6, 3, 5}, {4, 3, 6, 3, 5, 4}, {5, 4, 3, 5, 3, 6},
            {6, 3, 5, 4, 4, 3}};
    static final int BUDGET = 22;

    @ParameterizedTest(name = "{0}, {1} workers")
    @CsvSource({"COMBINED,2", "COMBINED,3", "COMBINED,4", "INTERLEAVED,2", "INTERLEAVED,3", "INTERLEAVED,4",
            "CONTIGUOUS,2", "CONTIGUOUS,3", "CONTIGUOUS,4"})
    void everyWorkersViewAtEveryPassIsTheOneTheDesignDescribes(Layout layout, int workers) {
        List<String> names = WorkerNames.first(workers);
        ScriptedChooser.Scripts scripts = new ScriptedChooser.Scripts(LockstepLoopTest.A);
        Map<String, List<String>> tokenTexts = new LinkedHashMap<>();
        for (int i = 0; i < workers; i++) {
            List<Integer> script = new ArrayList<>();
            for (int length : STEP_LENGTHS[i]) {
                script = concat(script, sentence(length));
            }
            scripts.script(names.get(i), script);
            tokenTexts.put(names.get(i), script.stream()
                    .map(id -> MODEL.tokenizer().decode(new int[] {id})).toList());
        }
        SessionPlan plan = LockstepLoopTest.plan(layout, workers, BUDGET, 100, 0, 0);
        LockstepLoopTest.Result r = LockstepLoopTest.run(plan, scripts);
        List<EventData> events = r.data();

        assertThat(ViewRebuilder.lastPass(events)).isEqualTo(BUDGET);
        for (int pass = 1; pass <= BUDGET; pass++) {
            for (int w = 0; w < workers; w++) {
                WorkerView view = ViewRebuilder.rebuild(plan, events, names.get(w), pass);
                String expected = expectedView(layout, names, tokenTexts, w, pass);
                assertThat(view.text()).as("%s at the start of pass %d", names.get(w), pass).isEqualTo(expected);
                assertThat(view.text()).doesNotContain("\n\n\n");
                assertThat(MODEL.tokenizer().decode(view.tokenIds().stream().mapToInt(Integer::intValue).toArray()))
                        .isEqualTo(view.text());
                assertThat(view.blocks().stream().mapToInt(WorkerView.Block::length).sum())
                        .isEqualTo(view.tokenIds().size());
            }
        }
    }

    /** A step as written by pass n: its text, and the token that ended it (0 while unfinished). */
    record Step(String text, int endedBy) {}

    /**
     * What {@code names.get(w)} reads at the start of pass {@code n}, from DESIGN.md's rules: pass 1 writes every
     * worker's first prefix and opening line, pass k writes the token chosen after pass k-1, and the pass that writes
     * the token ending a step (a blank line after a sentence) also writes the next step's prefix; the finished step is
     * in the history from the next pass on, in the order steps finished (workers in order within a pass).
     */
    static String expectedView(Layout layout, List<String> names, Map<String, List<String>> tokens, int w, int n) {
        Map<String, List<Step>> steps = new LinkedHashMap<>();
        for (String name : names) {
            List<Step> mine = new ArrayList<>();
            if (n >= 2) {
                StringBuilder current = new StringBuilder("**" + name + " [1]:** Hello, " + name + " here. ");
                int written = n - 2;
                for (int j = 1; j <= written; j++) {
                    current.append(tokens.get(name).get(j - 1));
                    String text = current.toString();
                    if (text.endsWith(".\n\n")) {
                        mine.add(new Step(text, j));
                        current = new StringBuilder("**" + name + " [" + (mine.size() + 1) + "]:** ");
                    }
                }
                mine.add(new Step(current.toString(), 0));
            }
            steps.put(name, mine);
        }
        String own = names.get(w);
        StringBuilder view = new StringBuilder(PROMPT);
        if (layout == Layout.CONTIGUOUS) {
            view.append("### What the others have written so far\n\n");
            for (String other : names) {
                if (!other.equals(own)) {
                    steps.get(other).forEach(s -> view.append(s.text()));
                    view.append(" <...>\n\n");
                }
            }
            view.append("### What you have written so far\n\n");
            steps.get(own).forEach(s -> view.append(s.text()));
            return view.toString();
        }
        view.append("### Finished steps\n\n");
        List<Map.Entry<Integer, Step>> history = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            for (Step s : steps.get(names.get(i))) {
                if (s.endedBy() > 0) {
                    history.add(Map.entry(s.endedBy() * 16 + i, s));
                }
            }
        }
        history.stream().sorted(Comparator.comparingInt(Map.Entry::getKey)).forEach(e -> view.append(e.getValue()
                .text()));
        if (layout == Layout.COMBINED) {
            view.append("### Steps the others are still writing\n\n");
            for (String other : names) {
                if (!other.equals(own)) {
                    view.append(unfinished(steps.get(other))).append(" <...>\n\n");
                }
            }
        }
        view.append("### Your step in progress\n\n").append(unfinished(steps.get(own)));
        return view.toString();
    }

    private static String unfinished(List<Step> steps) {
        return steps.isEmpty() ? "" : steps.get(steps.size() - 1).text();
    }
}
