package io.hogwild.cli;

import io.hogwild.contracts.run.RunEvent;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code hogwild solve "PROBLEM" [--workers N] [--layout L] ...}: creates a run through the gateway, prints the
 * workers' finished steps as they happen and then the answer. Exit codes: 0 the run finished (with or without an
 * answer), 1 the run failed or was cancelled or the gateway could not be used, 2 bad arguments.
 */
public final class SolveCommand {

    /** Reconnects of the event stream (resuming with Last-Event-ID) before giving up. */
    static final int STREAM_RECONNECTS = 3;

    private final PrintStream out;
    private final PrintStream err;
    /**
     * The gateway's JSON (snake_case). Lenient as a client of a newer server should be: unknown fields are skipped,
     * and an event of a type this client does not know is read with null data (and ignored).
     */
    static final JsonMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_INVALID_SUBTYPE)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private final JsonMapper json = JSON;

    public SolveCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        System.exit(new SolveCommand(out, err).run(args, System.getenv()));
    }

    public int run(String[] args, Map<String, String> env) {
        if (args.length == 1 && ("--help".equals(args[0]) || "-h".equals(args[0]))) {
            out.println(SolveOptions.USAGE);
            return 0;
        }
        SolveOptions options;
        try {
            options = SolveOptions.parse(args, env);
        } catch (UsageException e) {
            err.println("hogwild solve: " + e.getMessage());
            return 2;
        }
        if (options.checkOnly()) {
            return 0;
        }
        try {
            return solve(options);
        } catch (GatewayException e) {
            err.println("hogwild solve: " + e.getMessage());
            return 1;
        }
    }

    private int solve(SolveOptions options) {
        GatewayClient gateway = new GatewayClient(options.gateway(), options.apiKey(), json);
        String runId = gateway.createRun(options);
        err.println("hogwild solve: run " + runId + " accepted; following its progress");
        ProgressPrinter printer = new ProgressPrinter(out);
        Thread cancelOnInterrupt = cancelHook(gateway, runId, printer);
        try {
            follow(gateway, runId, printer);
        } finally {
            removeHook(cancelOnInterrupt);
        }
        if (printer.answer() == null) {
            // The stream may have been resumed past the answer event: the run's record has it too.
            printer.answerIfMissing(gateway.run(runId).path("final_answer").asString(null));
        }
        return printer.finish();
    }

    /** Reads the event stream until RUN_ENDED, resuming after the last event id when the connection drops. */
    private void follow(GatewayClient gateway, String runId, ProgressPrinter printer) {
        AtomicReference<RuntimeException> bad = new AtomicReference<>();
        SseParser parser = new SseParser(event -> {
            try {
                printer.accept(json.readValue(event.data(), RunEvent.class));
            } catch (JacksonException e) {
                bad.compareAndSet(null, new GatewayException("the gateway sent an event that is not a run event: "
                        + ProgressPrinter.oneLine(event.data())));
            }
        });
        for (int attempt = 0; attempt <= STREAM_RECONNECTS && !printer.ended(); attempt++) {
            gateway.events(runId, parser.lastEventId(), parser);
            if (bad.get() != null) {
                throw bad.get();
            }
        }
        if (!printer.ended()) {
            throw new GatewayException("the event stream of run " + runId + " ended before the run did");
        }
    }

    /** Ctrl-C while the run is going: cancel it rather than leave it running on the platform. */
    private Thread cancelHook(GatewayClient gateway, String runId, ProgressPrinter printer) {
        Thread hook = new Thread(() -> {
            if (!printer.ended()) {
                err.println("hogwild solve: interrupted, cancelling run " + runId);
                gateway.cancel(runId);
            }
        }, "cancel-run");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs
        }
    }}
