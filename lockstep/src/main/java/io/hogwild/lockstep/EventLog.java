package io.hogwild.lockstep;

import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.worker.SessionEvent;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * The events of one session: numbered from 1, kept in a bounded buffer (the oldest dropped beyond its capacity)
 * so that a reader who connects late or reconnects with the last seq it saw gets everything it missed, then the
 * live ones, until SESSION_FINISHED ({@link EventData.SessionFinished}), which ends every stream.
 *
 * <p>Appending and subscribing take the same lock, so a reader never misses or repeats an event between its
 * replay and its live part. A reader may go away while an event is handed to it (its subscriber cancels on the
 * appending thread): appending walks a copy-on-write snapshot of the readers, so the others still get the event and
 * SESSION_FINISHED still ends every stream.
 */
public final class EventLog {

    /** A live reader: the events after {@code after} go to {@code sink}, also those not appended yet. */
    private record Reader(FluxSink<SessionEvent> sink, long after) {}

    private final int capacity;
    private final ArrayDeque<SessionEvent> buffer = new ArrayDeque<>();
    private final List<Reader> readers = new CopyOnWriteArrayList<>();
    private long lastSeq;
    private boolean finished;

    public EventLog(int capacity) {
        this(capacity, 0);
    }

    /** A log whose first event has seq {@code lastSeq + 1} (a resumed session continues the original's numbering). */
    public EventLog(int capacity, long lastSeq) {
        this.capacity = capacity;
        this.lastSeq = lastSeq;
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
        for (Reader reader : readers) {
            if (event.seq() > reader.after()) {
                reader.sink().next(event);
            }
        }
        if (event.data() instanceof EventData.SessionFinished) {
            finished = true;
            readers.forEach(reader -> reader.sink().complete());
            readers.clear();
        }
        return event;
    }

    /**
     * Events with seq greater than {@code after}, then live events until the session finishes; an {@code after}
     * beyond the last seq so far skips the live events up to it too.
     */
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
                readers.add(new Reader(sink, after));
            }
            sink.onDispose(() -> readers.removeIf(reader -> reader.sink() == sink));
        });
    }

    /** Ends every stream without SESSION_FINISHED and takes no more events (a session given up). */
    public synchronized void close() {
        if (finished) {
            return;
        }
        finished = true;
        readers.forEach(reader -> reader.sink().complete());
        readers.clear();
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
