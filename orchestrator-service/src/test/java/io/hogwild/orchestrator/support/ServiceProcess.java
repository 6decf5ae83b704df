package io.hogwild.orchestrator.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A service of this module's test classpath started as a process of its own, so that a test can kill it with SIGKILL
 * as a crash would (a Spring context closed in this JVM would shut down in order instead, and would take Reactor
 * Netty's shared event loops with it). Its output goes to {@code target/service-logs/<name>.log}.
 */
public final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final int port;
    private final Path log;

    private ServiceProcess(String name, Process process, int port, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts {@code mainClass} with {@code --server.port=<free port>} and the given arguments. */
    public static ServiceProcess start(String name, Class<?> mainClass, List<String> args) {
        try {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Path logs = Files.createDirectories(Path.of("target", "service-logs"));
            Path log = logs.resolve(name + ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-Xmx512m",
                    "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                    mainClass.getName(),
                    "--server.port=" + port));
            command.addAll(args);
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            return new ServiceProcess(name, process, port, log);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
    }

    public int port() {
        return port;
    }

    /** Waits until the readiness probe answers 200; fails early when the process died (see its log). */
    public ServiceProcess awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/actuator/health/readiness")).timeout(Duration.ofSeconds(2)).build();
        await().atMost(timeout).pollInterval(Duration.ofMillis(250))
                .failFast(name + " exited; see " + log, () -> !process.isAlive())
                .ignoreExceptions()
                .until(() -> http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        return this;
    }

    /** SIGTERM: an orderly shutdown, as Kubernetes asks for one; returns at once. */
    public void terminate() {
        process.destroy();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no lease released, connections cut. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
