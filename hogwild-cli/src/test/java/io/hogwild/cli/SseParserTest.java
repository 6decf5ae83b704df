package io.hogwild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

    private final List<SseEvent> events = new ArrayList<>();
    private final SseParser parser = new SseParser(events::add);

    private void feed(String... lines) {
        for (String line : lines) {
            parser.line(line);
        }
    }

    @Test
    void readsIdEventAndDataAndDispatchesAtBlankLine() {
        feed("id: 1-0", "event: tokens", "data: {\"a\":1}");
        assertThat(events).isEmpty();
        feed("");
        assertThat(events).containsExactly(new SseEvent("1-0", "tokens", "{\"a\":1}"));
        assertThat(parser.lastEventId()).isEqualTo("1-0");
    }

    @Test
    void joinsDataLinesWithNewlinesAndStripsOnlyOneSpace() {
        feed("data:first", "data:  second", "");
        assertThat(events).containsExactly(new SseEvent(null, "message", "first\n second"));
    }

    @Test
    void skipsCommentsAndEventsWithoutData() {
        feed(": keep-alive", "", "event: ping", "", "id: 7-0", "", "data: x", "");
        assertThat(events).containsExactly(new SseEvent(null, "message", "x"));
        // an id alone still moves the resume point, as in browsers
        assertThat(parser.lastEventId()).isEqualTo("7-0");
    }

    @Test
    void dropsAnEventCutOffByTheEndOfTheStream() {
        feed("id: 1", "data: whole", "", "id: 2", "data: half");
        parser.end();
        assertThat(events).extracting(SseEvent::data).containsExactly("whole");
        assertThat(parser.lastEventId()).isEqualTo("1");
    }

    @Test
    void fieldsDoNotLeakIntoTheNextEvent() {
        feed("id: 1", "event: step_finished", "data: a", "", "data: b", "");
        assertThat(events).containsExactly(new SseEvent("1", "step_finished", "a"), new SseEvent(null, "message", "b"));
    }
}
