package io.hogwild.chattemplate;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What transformers' {@code _compile_jinja_template} sets up around a chat template: an
 * immutable sandboxed Jinja environment with {@code trim_blocks=True}, {@code lstrip_blocks=True}
 * and loop controls, its own {@code tojson} filter and the globals {@code raise_exception} and
 * {@code strftime_now}, next to Jinja's default globals ({@code namespace}, {@code range},
 * {@code dict}).
 */
final class TemplateEnvironment {

    /** Jinja's sandbox refuses ranges longer than this. */
    private static final long MAX_RANGE = 100_000;

    private final boolean trimBlocks;
    private final boolean lstripBlocks;
    private final Map<String, Filters.Filter> filters;
    private final Map<String, TestFunctions.Test> tests;
    private final Map<String, Object> globals;

    private TemplateEnvironment(boolean trimBlocks, boolean lstripBlocks, Clock clock) {
        this.trimBlocks = trimBlocks;
        this.lstripBlocks = lstripBlocks;
        this.filters = Filters.standard();
        this.tests = TestFunctions.standard();
        Map<String, Object> g = new HashMap<>();
        g.put("raise_exception", (TemplateCallable) args ->
                { throw new TemplateRaisedException(PyOps.str(args.accept(1).required(0, "message")), 0); });
        g.put("strftime_now", (TemplateCallable) args ->
                Strftime.format(ZonedDateTime.now(clock), PyOps.str(args.accept(1).required(0, "format"))));
        g.put("namespace", (TemplateCallable) TemplateEnvironment::namespace);
        g.put("range", (TemplateCallable) TemplateEnvironment::range);
        g.put("dict", (TemplateCallable) args -> new LinkedHashMap<Object, Object>(args.accept(0).keywords()));
        this.globals = Map.copyOf(g);
    }

    /** The environment transformers renders chat templates in. */
    static TemplateEnvironment transformers(Clock clock) {
        return new TemplateEnvironment(true, true, clock);
    }

    /** Plain Jinja defaults (no trim/lstrip), for tests that show the difference. */
    static TemplateEnvironment withWhitespaceOptions(boolean trimBlocks, boolean lstripBlocks, Clock clock) {
        return new TemplateEnvironment(trimBlocks, lstripBlocks, clock);
    }

    boolean trimBlocks() {
        return trimBlocks;
    }

    boolean lstripBlocks() {
        return lstripBlocks;
    }

    Map<String, Object> globals() {
        return globals;
    }

    boolean hasFilter(String name) {
        return filters.containsKey(name);
    }

    boolean hasTest(String name) {
        return tests.containsKey(name);
    }

    Filters.Filter filter(String name) {
        Filters.Filter filter = filters.get(name);
        if (filter == null) {
            throw new TemplateException("No filter named '" + name + "'.");
        }
        return filter;
    }

    TestFunctions.Test test(String name) {
        TestFunctions.Test test = tests.get(name);
        if (test == null) {
            throw new TemplateException("No test named '" + name + "'.");
        }
        return test;
    }

    private static Object namespace(CallArguments args) {
        Map<String, Object> initial = new LinkedHashMap<>();
        for (Object positional : args.positional()) {
            if (!(positional instanceof Map<?, ?> map)) {
                throw PyOps.typeError("namespace() positional argument must be a dict");
            }
            map.forEach((k, v) -> initial.put(PyOps.str(k), v));
        }
        initial.putAll(args.keywords());
        return new Namespace(initial);
    }

    private static Object range(CallArguments args) {
        args.accept(3);
        List<Object> bounds = args.positional();
        for (Object bound : bounds) {
            if (!PyOps.isInteger(bound)) {
                throw PyOps.typeError("'" + PyOps.typeName(bound) + "' object cannot be interpreted as an integer");
            }
        }
        long start = bounds.size() > 1 ? PyOps.asLong(bounds.get(0)) : 0;
        long stop = bounds.size() == 1 ? PyOps.asLong(bounds.get(0)) : bounds.size() > 1 ? PyOps.asLong(bounds.get(1)) : 0;
        long step = bounds.size() > 2 ? PyOps.asLong(bounds.get(2)) : 1;
        if (bounds.isEmpty()) {
            throw PyOps.typeError("range expected at least 1 argument, got 0");
        }
        if (step == 0) {
            throw new TemplateException("ValueError: range() arg 3 must not be zero");
        }
        List<Object> values = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            if (values.size() >= MAX_RANGE) {
                throw new TemplateException("OverflowError: Range too big. The sandbox blocks ranges larger than MAX_RANGE ("
                        + MAX_RANGE + ").");
            }
            values.add(i);
        }
        return values;
    }
}
