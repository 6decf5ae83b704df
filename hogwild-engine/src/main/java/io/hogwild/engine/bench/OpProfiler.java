package io.hogwild.engine.bench;

import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Counts the libtorch operators a piece of work dispatches, with the PyTorch profiler that DJL exposes
 * ({@link JniUtils#startProfile}): it writes a Chrome trace whose events nest (an {@code aten::matmul} contains its
 * {@code aten::mm}, ...). Only top-level {@code aten::} events count: each is one dispatch from the engine, which is
 * what a GPU pays a launch and a CPU pays its per-op overhead for.
 */
final class OpProfiler {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Top-level operators of one profiled run, by name: how many, and the microseconds spent in them (the profiler's
     * own overhead included, so only their shares mean something).
     */
    record OpCounts(Map<String, Integer> byName, Map<String, Double> microsByName) {
        int total() {
            return byName.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private OpProfiler() {}

    /** Runs {@code work} under the profiler and counts its top-level {@code aten::} operators. */
    static OpCounts count(Runnable work) {
        Path trace;
        try {
            trace = Files.createTempFile("hogwild-profile", ".json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            JniUtils.startProfile(false, false, false);
            try {
                work.run();
            } finally {
                JniUtils.stopProfile(trace.toString());
            }
            return topLevel(JSON.readTree(trace.toFile()));
        } finally {
            try {
                Files.deleteIfExists(trace);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }

    private record Event(String name, double start, double end) {}

    /** Per thread, an event is top-level when no earlier event on that thread is still open when it starts. */
    static OpCounts topLevel(JsonNode trace) {
        Map<Long, List<Event>> byThread = new HashMap<>();
        for (JsonNode e : trace) {
            if (!"X".equals(e.path("ph").asString(""))) {
                continue;
            }
            double ts = e.path("ts").asDouble();
            byThread.computeIfAbsent(e.path("tid").asLong(), t -> new ArrayList<>())
                    .add(new Event(e.path("name").asString(""), ts, ts + e.path("dur").asDouble()));
        }
        Map<String, Integer> counts = new TreeMap<>();
        Map<String, Double> micros = new TreeMap<>();
        for (List<Event> events : byThread.values()) {
            // Parents first: earlier start, and for equal starts the longer one.
            events.sort(Comparator.comparingDouble(Event::start).thenComparing(Comparator.comparingDouble(Event::end).reversed()));
            Deque<Double> open = new ArrayDeque<>();
            for (Event e : events) {
                while (!open.isEmpty() && open.peek() <= e.start()) {
                    open.pop();
                }
                if (open.isEmpty() && e.name().startsWith("aten::")) {
                    counts.merge(e.name(), 1, Integer::sum);
                    micros.merge(e.name(), e.end() - e.start(), Double::sum);
                }
                open.push(Math.max(e.end(), open.isEmpty() ? e.end() : Math.min(e.end(), open.peek())));
            }
        }
        return new OpCounts(counts, micros);
    }
}
