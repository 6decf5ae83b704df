package io.hogwild.cli;

import io.hogwild.client.EventStreamException;
import io.hogwild.client.HogwildApiException;
import io.hogwild.client.HogwildClient;
import io.hogwild.client.HogwildConnectionException;
import io.hogwild.client.HogwildException;
import io.hogwild.contracts.Layout;
import io.hogwild.contracts.run.RunRequest;
import io.hogwild.contracts.run.RunResponse;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * {@code hogwild solve "PROBLEM" [--workers N] [--layout L] ...}: creates a run through the gateway (with
 * {@link HogwildClient}), prints the workers' finished steps as they happen and then the answer. Exit codes: 0 the
 * run finished (with or without an answer), 1 the run failed or was cancelled or the gateway could not be used, 2 bad
 * arguments. A command line tool, so it blocks on the client's answers at its top level.
 */
public final class SolveCommand {

    /** Reconnects of the event stream in a row (resuming with Last-Event-ID) before giving up. */
    static final int STREAM_RECONNECTS = 3;

    private final PrintStream out;
    private final PrintStream err;

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
        HogwildClient gateway = HogwildClient.builder().baseUrl(options.gateway().toString())
                .apiKey(options.apiKey()).streamReconnects(STREAM_RECONNECTS).build();
        String runId = await(gateway.createRun(request(options)), "create the run").id();
        err.println("hogwild solve: run " + runId + " accepted; following its progress");
        ProgressPrinter printer = new ProgressPrinter(out);
        Thread cancelOnInterrupt = cancelHook(gateway, runId, printer);
        try {
            await(gateway.events(runId).doOnNext(printer::accept).then(), "follow the run's events");
        } finally {
            removeHook(cancelOnInterrupt);
        }
        if (printer.answer() == null) {
            // The stream may have been resumed past the answer event: the run's record has it too.
            RunResponse run = await(gateway.run(runId), "read the run");
            printer.answerIfMissing(run.finalAnswer());
        }
        return printer.finish();
    }

    private static RunRequest request(SolveOptions options) {
        Layout layout = options.layout() == null ? null : Layout.valueOf(options.layout().toUpperCase(Locale.ROOT));
        return new RunRequest(options.problem(), options.workers(), layout, options.maxTokensPerWorker(), null,
                options.temperature(), null, null, options.seed(), null, null, null, null, null);
    }

    /** The client's answer, or its failure as the one line this command prints. */
    private static <T> T await(Mono<T> call, String what) {
        try {
            return call.block();
        } catch (HogwildApiException e) {
            throw new GatewayException("could not " + what + ": " + e.getMessage());
        } catch (HogwildConnectionException e) {
            throw new GatewayException(e.getMessage() + (e.timedOut() ? "" : " (is the platform up?)"));
        } catch (EventStreamException e) {
            throw new GatewayException(e.getMessage());
        } catch (HogwildException e) {
            throw new GatewayException("could not " + what + ": " + e.getMessage());
        }
    }

    /** Ctrl-C while the run is going: cancel it rather than leave it running on the platform. */
    private Thread cancelHook(HogwildClient gateway, String runId, ProgressPrinter printer) {
        Thread hook = new Thread(() -> {
            if (!printer.ended()) {
                err.println("hogwild solve: interrupted, cancelling run " + runId);
                try {
                    gateway.cancel(runId).block(Duration.ofSeconds(5));
                } catch (RuntimeException e) {
                    // best effort: the process is going away
                }
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
    }
}
