package io.hogwild.orchestrator.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.contracts.Layout;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.event.EventData.BudgetExhausted;
import io.hogwild.contracts.event.EventData.FinalAnswer;
import io.hogwild.contracts.event.EventData.SelfCheckInserted;
import io.hogwild.contracts.event.EventData.StepFinished;
import io.hogwild.contracts.event.EventData.StepPromoted;
import io.hogwild.contracts.event.EventData.StepStarted;
import io.hogwild.contracts.event.EventData.Tokens;
import io.hogwild.contracts.event.EventType;
import io.hogwild.contracts.run.BlockExtent;
import io.hogwild.contracts.run.RunEvent;
import io.hogwild.contracts.run.RunPage;
import io.hogwild.contracts.run.RunRequest;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.run.RunTranscript;
import io.hogwild.contracts.run.RunView;
import io.hogwild.contracts.run.TranscriptStep;
import io.hogwild.contracts.worker.SessionEvent;
import io.hogwild.orchestrator.support.OrchestratorTest;
import io.hogwild.testing.redis.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The run store against the real Redis: lifecycle, the append-only log, replay, transcripts, paging. */
@OrchestratorTest
class RunStoreTest {

    private static final Duration T = Duration.ofSeconds(10);

    @Autowired
    RunStore store;

    @Autowired
    SessionRecorder recorder;

    @Autowired
    RunEventFollower follower;

    private final AtomicLong seq = new AtomicLong();
    private final QueueKeys queue = new QueueKeys("test-queue:" + UUID.randomUUID() + ":");

    private String newRun(Instant createdAt) {
        String id = "test-" + UUID.randomUUID();
        // A queue of this test's own: no dispatcher of this JVM serves it, so the run stays as the test leaves it.
        RunStore.Enqueued enqueued = store.enqueue(queue, new RunStore.NewRun(id, RunRequest.of("What is 2+2?"),
                Layout.COMBINED, List.of("Alice", "Bob"), "m", null, 1L, "tester", createdAt), 100).block(T);
        assertThat(enqueued.accepted()).isTrue();
        return id;
    }

    private void record(String runId, EventData data) {
        store.appendSessionEvent(runId, new SessionEvent("s", seq.incrementAndGet(), 1000 + seq.get(), seq.get(), data))
                .block(T);
    }

    @Test
    void lifecycleMovesForwardOnlyAndNeverLeavesAFinalStatus() {
        String id = newRun(Instant.now());
        assertThat(store.view(id).block(T).status()).isEqualTo(RunStatus.QUEUED);

        assertThat(store.transition(id, List.of(RunStatus.QUEUED), RunStatus.RUNNING,
                Map.of("started_at", "5")).block(T)).isTrue();
        assertThat(recorder.end(id, RunStatus.FINISHED, Map.of("finish_reason", "budget", "finished_at", "9"))
                .then(store.view(id)).block(T))
                .satisfies(run -> {
                    assertThat(run.status()).isEqualTo(RunStatus.FINISHED);
                    assertThat(run.finishReason()).isEqualTo("budget");
                    assertThat(run.startedAt()).isEqualTo(Instant.ofEpochMilli(5));
                    assertThat(run.finishedAt()).isEqualTo(Instant.ofEpochMilli(9));
                });

        // A late failure (e.g. a stream error after the end) must not overwrite what was recorded.
        recorder.fail(id, "worker vanished").block(T);
        assertThat(store.transition(id, RunStates.ACTIVE, RunStatus.CANCELLED, Map.of()).block(T)).isFalse();
        RunView run = store.view(id).block(T);
        assertThat(run.status()).isEqualTo(RunStatus.FINISHED);
        assertThat(run.failureReason()).isNull();
        assertThat(store.allEvents(id).map(RunEvent::data).collectList().block(T)).containsExactly(
                new EventData.RunQueued(Layout.COMBINED, List.of("Alice", "Bob")),
                new EventData.RunEnded(RunStatus.FINISHED, "budget", null));
        assertThat(store.transition("no-such-run", RunStates.ACTIVE, RunStatus.FAILED, Map.of()).block(T)).isFalse();
    }

    @Test
    void sessionEventsAreRecordedOnceWithPerWorkerCounters() {
        String id = newRun(Instant.now());
        record(id, new StepStarted("Alice", 1, "**Alice [1]:** "));
        record(id, new Tokens("Alice", 1, List.of(5, 6, 7), "abc", false));
        record(id, new StepStarted("Bob", 1, "**Bob [1]:** "));
        record(id, new Tokens("Bob", 1, List.of(8), "d", false));
        record(id, new BudgetExhausted("Alice", 1, 3));
        record(id, new FinalAnswer("4", "Bob", 1));
        // A resumed stream repeats an event with an old seq: it is dropped, counters unchanged.
        assertThat(store.appendSessionEvent(id, new SessionEvent("s", 2, 0, 0,
                new Tokens("Alice", 1, List.of(5, 6, 7), "abc", false))).block(T))
                .isEqualTo(new RunStore.Recorded.Duplicate(6));
        // One that would leave a gap after the last recorded seq is refused, so the recorder asks again from there.
        assertThat(store.appendSessionEvent(id, new SessionEvent("s", 9, 0, 0,
                new Tokens("Bob", 1, List.of(1), "x", false))).block(T))
                .isEqualTo(new RunStore.Recorded.Gap(6));

        RunView run = store.view(id).block(T);
        assertThat(run.progress()).satisfiesExactly(
                alice -> assertThat(alice).extracting("name", "steps", "tokens", "currentStep", "state")
                        .containsExactly("Alice", 1, 3, 1, "done"),
                bob -> assertThat(bob).extracting("name", "steps", "tokens", "currentStep", "state")
                        .containsExactly("Bob", 1, 1, 1, "generating"));
        assertThat(run.finalAnswer()).isEqualTo("4");
        assertThat(store.allEvents(id).collectList().block(T)).hasSize(7);
    }

    @Test
    void replayResumesExactlyAfterAGivenIdAndFollowingStopsAtTheEnd() {
        String id = newRun(Instant.now());
        store.transition(id, List.of(RunStatus.QUEUED), RunStatus.RUNNING, Map.of()).block(T);
        for (int i = 1; i <= 5; i++) {
            record(id, new Tokens("Alice", 1, List.of(i), "t" + i, false));
        }
        List<RunEvent> all = store.allEvents(id).collectList().block(T);
        assertThat(all).hasSize(6);
        assertThat(all).extracting(RunEvent::id).doesNotHaveDuplicates().isSortedAccordingTo(StreamIds.ORDER);

        String third = all.get(2).id();
        assertThat(store.events(id, third, 100).collectList().block(T)).extracting(RunEvent::id)
                .containsExactly(all.get(3).id(), all.get(4).id(), all.get(5).id());
        assertThat(store.events(id, null, 2).collectList().block(T)).hasSize(2);

        // A follower started now replays and then waits for live events until RUN_ENDED.
        var followed = follower.follow(id, third).collectList().toFuture();
        record(id, new Tokens("Bob", 1, List.of(9), "live", false));
        recorder.end(id, RunStatus.FINISHED, Map.of("finish_reason", "budget")).block(T);
        List<RunEvent> seen = followed.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
        assertThat(seen).extracting(RunEvent::type).containsExactly(EventType.TOKENS, EventType.TOKENS,
                EventType.TOKENS, EventType.TOKENS, EventType.RUN_ENDED);
        assertThat(seen.get(3).data()).isEqualTo(new Tokens("Bob", 1, List.of(9), "live", false));
        assertThat(seen.get(4).data()).isEqualTo(new EventData.RunEnded(RunStatus.FINISHED, "budget", null));
    }

    @Test
    void transcriptIsRebuiltFromTheLog() {
        String id = newRun(Instant.now());
        record(id, new StepStarted("Alice", 1, "**Alice [1]:** "));
        record(id, new StepStarted("Bob", 1, "**Bob [1]:** "));
        record(id, new SelfCheckInserted("Bob", 1, "(check)", 0));
        record(id, new Tokens("Alice", 1, List.of(1, 2), "I take", false));
        record(id, new Tokens("Bob", 1, List.of(3), "I check", false));
        record(id, new Tokens("Alice", 1, List.of(4), " part 1.", false));
        record(id, new StepFinished("Alice", 1, "**Alice [1]:** I take part 1.\n\n", 3,
                List.of(new BlockExtent("prompt", 50), new BlockExtent("history", 0), new BlockExtent("step-bob", 4),
                        new BlockExtent("step-alice", 12)), "separator", null));
        record(id, new StepPromoted("Alice", 1, "step-alice", "history", 12, 12));
        record(id, new StepStarted("Alice", 2, "**Alice [2]:** "));
        record(id, new Tokens("Alice", 2, List.of(5), "Done", false));

        RunTranscript transcript = TranscriptBuilder.build(id, RunStatus.RUNNING, List.of("Alice", "Bob"),
                store.allEvents(id).collectList().block(T), null);

        assertThat(transcript.workers()).extracting("worker").containsExactly("Alice", "Bob");
        List<TranscriptStep> alice = transcript.workers().get(0).steps();
        assertThat(alice).extracting(TranscriptStep::step).containsExactly(1, 2);
        assertThat(alice.get(0).text()).isEqualTo("**Alice [1]:** I take part 1.\n\n");
        assertThat(alice.get(0).tokens()).isEqualTo(3);
        assertThat(alice.get(0).promoted()).isTrue();
        assertThat(alice.get(0).finishedAtMillis()).isNotNull();
        assertThat(alice.get(0).view()).extracting("block", "length").containsExactly(
                org.assertj.core.groups.Tuple.tuple("prompt", 50), org.assertj.core.groups.Tuple.tuple("history", 0),
                org.assertj.core.groups.Tuple.tuple("step-bob", 4),
                org.assertj.core.groups.Tuple.tuple("step-alice", 12));
        assertThat(alice.get(1).text()).isEqualTo("Done");
        assertThat(alice.get(1).finishedAtMillis()).isNull();
        assertThat(transcript.workers().get(0).tokens()).isEqualTo(4);
        TranscriptStep bob = transcript.workers().get(1).steps().get(0);
        assertThat(bob.selfCheck()).isEqualTo("(check)");
        assertThat(bob.text()).isEqualTo("I check");
        assertThat(transcript.history()).singleElement().satisfies(h -> {
            assertThat(h.worker()).isEqualTo("Alice");
            assertThat(h.step()).isEqualTo(1);
            assertThat(h.text()).isEqualTo("**Alice [1]:** I take part 1.\n\n");
            assertThat(h.historyLength()).isEqualTo(12);
        });
    }

    @Test
    void listingIsNewestFirstWithStatusFilterAndPaging(TestRedis redis) {
        redis.flushAll();
        Instant base = Instant.parse("2025-01-01T00:00:00Z");
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(newRun(base.plusSeconds(i)));
        }
        recorder.fail(ids.get(1), "x").block(T);
        recorder.fail(ids.get(3), "y").block(T);

        RunPage first = store.list(null, 0, 2).block(T);
        assertThat(first.total()).isEqualTo(5);
        assertThat(first.items()).extracting(RunView::runId).containsExactly(ids.get(4), ids.get(3));
        assertThat(store.list(null, 2, 2).block(T).items()).extracting(RunView::runId).containsExactly(ids.get(0));
        assertThat(store.list(null, 3, 2).block(T).items()).isEmpty();

        RunPage failed = store.list(RunStatus.FAILED, 0, 10).block(T);
        assertThat(failed.total()).isEqualTo(2);
        assertThat(failed.items()).extracting(RunView::runId).containsExactly(ids.get(3), ids.get(1));
        assertThat(failed.items()).extracting(RunView::failureReason).containsExactly("y", "x");
        assertThat(store.list(RunStatus.QUEUED, 0, 10).block(T).total()).isEqualTo(3);
    }
}
