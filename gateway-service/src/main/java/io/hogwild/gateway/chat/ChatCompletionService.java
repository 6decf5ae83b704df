package io.hogwild.gateway.chat;

import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.event.EventData.FinalAnswer;
import io.hogwild.contracts.event.EventData.PrefillFinished;
import io.hogwild.contracts.event.EventData.SelfCheckInserted;
import io.hogwild.contracts.event.EventData.StepStarted;
import io.hogwild.contracts.event.EventData.Tokens;
import io.hogwild.contracts.run.HistoryEntry;
import io.hogwild.contracts.run.RunEvent;
import io.hogwild.contracts.run.RunRequest;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.run.RunTranscript;
import io.hogwild.contracts.run.RunView;
import io.hogwild.contracts.run.RunWorkerProgress;
import io.hogwild.contracts.run.TranscriptStep;
import io.hogwild.contracts.run.WorkerTranscript;
import io.hogwild.gateway.orchestrator.OrchestratorClient;
import io.hogwild.gateway.runs.RunService;
import io.hogwild.gateway.security.ApiPrincipal;
import io.hogwild.web.ApiException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * OpenAI's chat completion on top of a run: the last user message (after the system messages, as context) is the
 * problem; the run is followed over its event stream; the final answer becomes the assistant's {@code content} and the
 * workers' collaboration its {@code reasoning_content}. A client that goes away cancels the run, since nobody else
 * would read it (it stays inspectable through the admin API).
 */
@Service
public class ChatCompletionService {

    private static final Logger log = LoggerFactory.getLogger(ChatCompletionService.class);

    private final RunService runs;
    private final OrchestratorClient orchestrator;
    private final JsonMapper json;

    public ChatCompletionService(RunService runs, OrchestratorClient orchestrator, JsonMapper json) {
        this.runs = runs;
        this.orchestrator = orchestrator;
        this.json = json;
    }

    /** What the event stream told us while it was followed. */
    private static final class Observed {
        final AtomicInteger promptTokens = new AtomicInteger();
        final AtomicReference<String> answer = new AtomicReference<>();
    }

    public Mono<ChatCompletion> complete(ChatCompletionRequest request, ApiPrincipal principal) {
        RunRequest run = toRunRequest(request);
        return runs.create(run, principal, "chat").flatMap(created -> {
            Observed seen = new Observed();
            String runId = created.runId();
            return events(runId)
                    .doOnNext(e -> observe(e, seen))
                    .then(Mono.zip(orchestrator.run(runId), orchestrator.transcript(runId)))
                    .map(both -> completion(both.getT1(), both.getT2(), seen))
                    .doOnCancel(() -> cancelAbandoned(runId));
        });
    }

    /**
     * The run as {@code chat.completion.chunk} events: a role chunk, reasoning deltas as the workers write (every
     * step's prefix, then its tokens, each chunk tagged with {@code hogwild.worker}), the final answer as content, a
     * chunk with {@code finish_reason}, with {@code stream_options.include_usage} a chunk with the usage and no
     * choices, then {@code [DONE]}. The Mono completes once the run exists, so that a refused run is still an error
     * response.
     */
    public Mono<Flux<ServerSentEvent<String>>> stream(ChatCompletionRequest request, ApiPrincipal principal) {
        RunRequest run = toRunRequest(request);
        return runs.create(run, principal, "chat").map(created -> {
            String runId = created.runId();
            String id = "chatcmpl-" + runId;
            long createdAt = epochSeconds(created);
            String model = created.model();
            Observed seen = new Observed();
            Flux<ChatCompletion> role = Flux.just(chunk(id, createdAt, model,
                    new ChatCompletion.Message("assistant", "", null), null, null, null));
            Flux<ChatCompletion> reasoning = events(runId).doOnNext(e -> observe(e, seen)).concatMap(e -> {
                String text = reasoningDelta(e.data());
                if (text == null || text.isEmpty() || !(e.data() instanceof EventData.OfStep ofStep)) {
                    return Flux.empty();
                }
                return Flux.just(chunk(id, createdAt, model, new ChatCompletion.Message(null, null, text), null,
                        null, ChatCompletion.Hogwild.of(runId, ofStep.worker(), ofStep.step(), e.id())));
            });
            boolean includeUsage = request.streamOptions() != null
                    && Boolean.TRUE.equals(request.streamOptions().includeUsage());
            Flux<ChatCompletion> ending = Mono.defer(() -> orchestrator.run(runId)).flatMapMany(view -> {
                String answer = view.finalAnswer() != null ? view.finalAnswer() : seen.answer.get();
                ChatCompletion content = chunk(id, createdAt, model,
                        new ChatCompletion.Message(null, answer == null ? "" : answer, null), null, null, null);
                ChatCompletion last = chunk(id, createdAt, model, new ChatCompletion.Message(null, null, null),
                        finishReason(view), null, outcome(view));
                if (!includeUsage) {
                    return Flux.just(content, last);
                }
                // OpenAI's usage chunk: no choices, the whole request's usage.
                return Flux.just(content, last, new ChatCompletion(id, "chat.completion.chunk", createdAt, model,
                        List.of(), usage(view, seen), null));
            });
            return Flux.concat(role, reasoning, ending)
                    .map(c -> ServerSentEvent.builder(json.writeValueAsString(c)).build())
                    .concatWith(Mono.just(ServerSentEvent.builder("[DONE]").build()))
                    .doOnCancel(() -> cancelAbandoned(runId));
        });
    }

    private Flux<RunEvent> events(String runId) {
        return orchestrator.events(runId, null).flatMapMany(flux -> flux)
                .filter(sse -> sse.data() != null)
                .map(sse -> json.readValue(sse.data(), RunEvent.class));
    }

    /** What a worker's event adds to the text it is writing: a step's prefix, an inserted text or tokens. */
    private static String reasoningDelta(EventData data) {
        if (data instanceof StepStarted started) {
            return "\n\n" + (started.prefix() == null ? "" : started.prefix());
        } else if (data instanceof SelfCheckInserted check) {
            return check.question();
        } else if (data instanceof Tokens tokens) {
            return tokens.text();
        }
        return null;
    }

    private static void observe(RunEvent e, Observed seen) {
        if (e.data() instanceof PrefillFinished prefill && prefill.tokens() != null) {
            seen.promptTokens.set(prefill.tokens().values().stream().mapToInt(Integer::intValue).sum());
        } else if (e.data() instanceof FinalAnswer answer) {
            seen.answer.set(answer.answer());
        }
    }

    private void cancelAbandoned(String runId) {
        log.info("chat client went away; cancelling run {}", runId);
        orchestrator.cancel(runId).subscribe(v -> { }, e -> log.debug("cancel of run {}: {}", runId, e.toString()));
    }

    private ChatCompletion completion(RunView run, RunTranscript transcript, Observed seen) {
        if (run.status() == RunStatus.FAILED) {
            throw new ApiException(HttpStatus.BAD_GATEWAY, "run-failed", "Run failed",
                    "the run failed: " + (run.failureReason() == null ? "no reason recorded" : run.failureReason()))
                    .with("run_id", run.runId());
        }
        String answer = run.finalAnswer() != null ? run.finalAnswer() : seen.answer.get();
        ChatCompletion.Message message = new ChatCompletion.Message("assistant", answer == null ? "" : answer,
                reasoning(transcript));
        return new ChatCompletion("chatcmpl-" + run.runId(), "chat.completion", epochSeconds(run), run.model(),
                List.of(new ChatCompletion.Choice(0, message, null, finishReason(run))), usage(run, seen),
                outcome(run));
    }

    /**
     * The shared history in promotion order, then every step that never reached it, worker by worker: one blank line
     * between steps (a finished step already ends with it).
     */
    static String reasoning(RunTranscript transcript) {
        List<String> parts = new ArrayList<>();
        for (HistoryEntry entry : transcript.history()) {
            parts.add(entry.text());
        }
        for (WorkerTranscript worker : transcript.workers()) {
            for (TranscriptStep step : worker.steps()) {
                if (!step.promoted() && step.text() != null && !step.text().isBlank()) {
                    parts.add(step.text());
                }
            }
        }
        return String.join("\n\n", parts.stream().map(String::strip).toList());
    }

    private static ChatCompletion chunk(String id, long created, String model, ChatCompletion.Message delta,
                                        String finishReason, ChatCompletion.Usage usage,
                                        ChatCompletion.Hogwild hogwild) {
        return new ChatCompletion(id, "chat.completion.chunk", created, model,
                List.of(new ChatCompletion.Choice(0, null, delta, finishReason)), usage, hogwild);
    }

    /** OpenAI's vocabulary: an answer is {@code stop}, a spent budget {@code length}; a failed run {@code error}. */
    private static String finishReason(RunView run) {
        if (run.status() == RunStatus.FAILED) {
            return "error";
        }
        return "budget".equals(run.finishReason()) ? "length" : "stop";
    }

    /**
     * Tokens of the whole run: {@code prompt_tokens} are the tokens prefilled before the workers write (the
     * collaboration prompt with the problem, and every initial block), counted once although every worker reads them
     * from the shared cache; {@code completion_tokens} are every token the workers generated, finisher included.
     * Texts the platform inserts mid-run (step headers, self-check questions) count as neither.
     */
    private static ChatCompletion.Usage usage(RunView run, Observed seen) {
        int completion = 0;
        if (run.progress() != null) {
            for (RunWorkerProgress p : run.progress()) {
                completion += p.tokens();
            }
        }
        int prompt = seen.promptTokens.get();
        return new ChatCompletion.Usage(prompt, completion, prompt + completion);
    }

    private static ChatCompletion.Hogwild outcome(RunView run) {
        return new ChatCompletion.Hogwild(run.runId(), run.status(), run.layout(), run.workers(), run.finishReason(),
                run.failureReason(), run.answers(), run.answersDisagree(), null, null, null);
    }

    private static long epochSeconds(RunView run) {
        return (run.createdAt() != null ? run.createdAt() : Instant.now()).getEpochSecond();
    }

    /** The run behind a chat request; every invalid part names its field. */
    static RunRequest toRunRequest(ChatCompletionRequest request) {
        if (request.n() != null && request.n() != 1) {
            throw ApiException.badRequest("n", "n: a run gives one answer, so only n = 1 is supported, not "
                    + request.n());
        }
        List<String> context = new ArrayList<>();
        String problem = null;
        List<ChatCompletionRequest.Message> messages = request.messages();
        for (int i = 0; i < messages.size(); i++) {
            ChatCompletionRequest.Message m = messages.get(i);
            String text = text(m.content(), "messages[" + i + "].content");
            if ("system".equals(m.role()) || "developer".equals(m.role())) {
                if (!text.isBlank()) {
                    context.add(text.strip());
                }
            } else if ("user".equals(m.role())) {
                problem = text;
            }
        }
        if (problem == null || problem.isBlank()) {
            throw ApiException.badRequest("messages", "messages: needs a user message with text (the problem)");
        }
        context.add(problem.strip());
        String fullProblem = String.join("\n\n", context);
        ChatCompletionRequest.HogwildOptions h = request.hogwild() != null ? request.hogwild()
                : new ChatCompletionRequest.HogwildOptions(null, null, null, null, null, null, null, null);
        Integer budget = request.maxTokens() != null ? request.maxTokens() : request.maxCompletionTokens();
        String model = request.model() == null || request.model().isBlank() || "hogwild".equals(request.model())
                ? null : request.model();
        return new RunRequest(fullProblem, h.workers(), h.layout(), budget, h.maxStepTokens(), request.temperature(),
                request.topP(), h.topK(), request.seed(), h.selfCheckEvery(), h.finisherTokens(), h.fewShot(),
                h.enableThinking(), model);
    }

    private static String text(Object content, String field) {
        if (content == null) {
            return "";
        }
        if (content instanceof String s) {
            return s;
        }
        if (content instanceof List<?> parts) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < parts.size(); i++) {
                if (!(parts.get(i) instanceof Map<?, ?> part) || !"text".equals(part.get("type"))
                        || !(part.get("text") instanceof String t)) {
                    throw ApiException.badRequest(field + "[" + i + "]",
                            "only parts of type 'text' with a string 'text' are supported");
                }
                if (!out.isEmpty()) {
                    out.append('\n');
                }
                out.append(t);
            }
            return out.toString();
        }
        throw ApiException.badRequest(field, "must be a string or a list of text parts");
    }
}
