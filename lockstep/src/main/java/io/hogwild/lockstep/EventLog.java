package io.hogwild.lockstep;

import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.worker.SessionEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * The events of one session: numbered from 1, kept in a bounded buffer (the oldest dropped beyond its capacity)
 * so that a reader who connects late or reconnects with the last seq it saw gets everything it missed, then the
 * live ones, until SESSION_FINISHED ({@link EventData.SessionFinished}), which ends every stream.
 *
 * <p>Appending and subscribing take the same lock, so a reader never misses or repeats an event between its
 * replay and its live part.
 */
public final class EventLog {

    private final int capacity;
    private final ArrayDeque<SessionEvent> buffer = new ArrayDeque<>();
    private final List<FluxSink<SessionEvent>> readers = new ArrayList<>();
    private long lastSeq;
    private boolean finished;

    public EventLog(int capacity) {
        this.capacity = capacity;
    }

    /** Appends the event {@code make} builds for the next seq, and hands it to every live reader. */
    public synchronized SessionEvent append(LongFunction<SessionEvent> make) {
        if (finished) {
            throw new IllegalStateException("session already finished");
        }
        SessionEvent event = make.apply(++lastSeq);
        buffer.addLast(event);
        if (buffer.size() > capacity) {
            buffer.removeFirst();
        }
        for (FluxSink<SessionEvent> reader : readers) {
            reader.next(event);
        }
        if (event.data() instanceof EventData.SessionFinished) {
            finished = true;
            List<FluxSink<SessionEvent>> done = new ArrayList<>(readers);
            readers.clear();
            done.forEach(FluxSink::complete);
        }
        return event;
    }

    /** Events with seq greater than {@code after}, then live events until the session finishes. */
    public Flux<SessionEvent> stream(long after) {
        return Flux.create(sink -> {
            synchronized (this) {
                for (SessionEvent e : buffer) {
                    if (e.seq() > after) {
                        sink.next(e);
                    }
                }
                if (finished) {
                    sink.complete();
                    return;
                }
                readers.add(sink);
            }
            sink.onDispose(() -> {
                synchronized (this) {
                    readers.remove(sink);
                }
            });
        });
    }

    public synchronized List<SessionEvent> snapshot() {
        return List.copyOf(buffer);
    }

    public synchronized long lastSeq() {
        return lastSeq;
    }

    public synchronized boolean finished() {
        return finished;
    }
}
