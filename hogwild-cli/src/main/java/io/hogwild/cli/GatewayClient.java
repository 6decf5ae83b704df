package io.hogwild.cli;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The calls {@code hogwild solve} makes to the gateway's public run API, authenticated with a Bearer key. */
public final class GatewayClient {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final ObjectMapper json;
    private final URI base;
    private final String apiKey;

    public GatewayClient(URI base, String apiKey, ObjectMapper json) {
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.json = json;
        this.base = base;
        this.apiKey = apiKey;
    }

    /** {@code POST /v1/runs}; returns the run id. */
    public String createRun(SolveOptions options) {
        ObjectNode body = json.createObjectNode().put("problem", options.problem());
        if (options.workers() != null) {
            body.put("workers", options.workers());
        }
        if (options.layout() != null) {
            body.put("layout", options.layout());
        }
        if (options.maxTokensPerWorker() != null) {
            body.put("max_tokens_per_worker", options.maxTokensPerWorker());
        }
        if (options.temperature() != null) {
            body.put("temperature", options.temperature());
        }
        if (options.seed() != null) {
            body.put("seed", options.seed());
        }
        HttpRequest request = request("/v1/runs").timeout(CALL_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        JsonNode run = readJson(send(request, "create the run"), "create the run");
        String id = run.path("id").asString("");
        if (id.isEmpty()) {
            throw new GatewayException("the gateway created a run but sent no id: " + run);
        }
        return id;
    }

    /** {@code GET /v1/runs/{id}}. */
    public JsonNode run(String runId) {
        HttpRequest request = request("/v1/runs/" + runId).timeout(CALL_TIMEOUT).GET().build();
        return readJson(send(request, "read the run"), "read the run");
    }

    /** {@code POST /v1/runs/{id}/cancel}; failures are ignored (the caller is already giving up). */
    public void cancel(String runId) {
        HttpRequest request = request("/v1/runs/" + runId + "/cancel").timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        try {
            http.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (IOException | InterruptedException e) {
            // best effort
        }
    }

    /**
     * {@code GET /v1/runs/{id}/events} as server-sent events, resuming after {@code lastEventId} when not null.
     * Feeds every line to the parser and returns when the server closes the stream.
     */
    public void events(String runId, String lastEventId, SseParser parser) {
        HttpRequest.Builder builder = request("/v1/runs/" + runId + "/events")
                .header("Accept", "text/event-stream").GET();
        if (lastEventId != null) {
            builder.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> response = send(builder.build(), "follow the run's events");
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                parser.line(line);
            }
        } catch (IOException e) {
            // a broken stream: the caller resumes from the last event id
        }
        parser.end();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + apiKey);
    }

    private HttpResponse<InputStream> send(HttpRequest request, String what) {
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException e) {
            throw new GatewayException("cannot reach the gateway at " + base + " (is the platform up?)", e);
        } catch (HttpTimeoutException e) {
            throw new GatewayException("the gateway at " + base + " did not answer in time", e);
        } catch (IOException e) {
            throw new GatewayException("could not " + what + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException("interrupted", e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new GatewayException("could not " + what + ": " + problem(response));
        }
        return response;
    }

    /** "HTTP 400: detail (field x)" from an RFC 9457 problem body, or the start of whatever the body was. */
    private String problem(HttpResponse<InputStream> response) {
        String body;
        try (InputStream in = response.body()) {
            body = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
        } catch (IOException e) {
            body = "";
        }
        String message = "HTTP " + response.statusCode();
        try {
            JsonNode problem = json.readTree(body);
            String detail = problem.path("detail").asString(problem.path("title").asString(""));
            String field = problem.path("field").asString("");
            if (!detail.isEmpty()) {
                message += ": " + detail;
            }
            if (!field.isEmpty()) {
                message += " (field " + field + ")";
            }
            return message;
        } catch (RuntimeException e) {
            String text = ProgressPrinter.oneLine(body);
            return text.isEmpty() ? message : message + ": " + text.substring(0, Math.min(200, text.length()));
        }
    }

    private JsonNode readJson(HttpResponse<InputStream> response, String what) {
        try (InputStream in = response.body()) {
            return json.readTree(in);
        } catch (IOException | RuntimeException e) {
            throw new GatewayException("could not " + what + ": the answer was not JSON (" + e.getMessage() + ")", e);
        }
    }
}
