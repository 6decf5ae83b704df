package io.hogwild.lockstep;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.contracts.worker.SessionEvent;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.event.EventType;
import io.hogwild.contracts.Layout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

/**
 * Readers of one session's events racing its end, many rounds over: they subscribe at random points (late ones
 * replay), and some go away again, either on the appending thread itself while an event is handed to them or from
 * another thread. Appending never fails, and every reader that stays gets each event after its {@code after}
 * exactly once, in order, and then the end of its stream.
 */
class EventLogTest {

    static final int EVENTS = 200;
    static final int ROUNDS = 300;
    static final int READERS = 9;
    static final Duration WAIT = Duration.ofSeconds(10);

    static final ExecutorService appender = Executors.newSingleThreadExecutor(r -> new Thread(r, "lockstep-test"));

    @AfterAll
    static void stopAppender() {
        appender.shutdownNow();
    }

    record Reader(long after, CompletableFuture<List<SessionEvent>> events) {}

    @Test
    void readersThatStayGetEveryEventAndTheEndWhileOthersLeaveAroundThem() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            Random random = new Random(round);
            EventLog log = new EventLog(EVENTS);
            Future<?> session = appender.submit(() -> {
                for (int i = 1; i < EVENTS; i++) {
                    log.append(seq -> event(seq, new EventData.Tokens("Alice", 1, List.of(5), "a", false)));
                }
                log.append(seq -> event(seq, new EventData.SessionFinished("budget", 1, 1, null, List.of(), false)));
            });
            List<Reader> staying = new ArrayList<>();
            List<Disposable> leavingLater = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                long after = random.nextInt(EVENTS / 4);
                switch (r % 3) {
                    // Encoded off the appending thread, as the service's controller does.
                    case 0 -> staying.add(new Reader(after,
                            log.stream(after).publishOn(Schedulers.parallel()).collectList().toFuture()));
                    // No thread hop: the cancel runs inside append, while the log hands this reader an event.
                    case 1 -> {
                        long leaveAt = after + 1 + random.nextInt(EVENTS / 2);
                        log.stream(after).takeUntil(e -> e.seq() >= leaveAt).subscribe();
                    }
                    default -> leavingLater.add(log.stream(after).publishOn(Schedulers.parallel()).subscribe());
                }
            }
            leavingLater.forEach(Disposable::dispose);

            session.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            for (Reader reader : staying) {
                List<SessionEvent> events = reader.events().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(events).as("round %d, reader after %d", round, reader.after())
                        .extracting(SessionEvent::seq)
                        .containsExactlyElementsOf(LongStream.rangeClosed(reader.after() + 1, EVENTS).boxed().toList());
                assertThat(events.get(events.size() - 1).type()).isEqualTo(EventType.SESSION_FINISHED);
            }
        }
    }

    @Test
    void aReaderAfterTheEndGetsTheReplayAndTheEnd() {
        EventLog log = new EventLog(16);
        log.append(seq -> event(seq, new EventData.SessionStarted(Layout.COMBINED, List.of("Alice"))));
        log.append(seq -> event(seq, new EventData.SessionFinished("budget", 1, 1, null, List.of(), false)));

        assertThat(log.stream(0).collectList().block(WAIT)).extracting(SessionEvent::type)
                .containsExactly(EventType.SESSION_STARTED, EventType.SESSION_FINISHED);
        assertThat(log.stream(2).collectList().block(WAIT)).isEmpty();
        assertThat(log.finished()).isTrue();
    }

    static SessionEvent event(long seq, EventData data) {
        return new SessionEvent("session", seq, 0, 0, data);
    }
}
