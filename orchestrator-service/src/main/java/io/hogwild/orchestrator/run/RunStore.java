package io.hogwild.orchestrator.run;

import io.hogwild.contracts.Layout;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.run.AnswerGiven;
import io.hogwild.contracts.run.RunDetail;
import io.hogwild.contracts.run.RunEvent;
import io.hogwild.contracts.run.RunPage;
import io.hogwild.contracts.run.RunRequest;
import io.hogwild.contracts.run.RunResumption;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.run.RunView;
import io.hogwild.contracts.run.RunWorkerProgress;
import io.hogwild.contracts.worker.SessionEvent;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.orchestrator.run.RunKeys.Field;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs in Redis (layout in {@link RunKeys}, scripts in {@code resources/redis}, both described in API.md). Writes are
 * additive: events are only ever appended to the stream, status changes go through a compare-and-set script that never
 * leaves a final status and writes the lifecycle event with it, and nothing here deletes a run's keys.
 */
@Component
public class RunStore {

    /** Fields a stream entry has: the event as JSON (its id is the entry id). */
    private static final String EVENT_FIELD = "e";

    private final ReactiveStringRedisTemplate redis;
    private final JsonMapper json;
    private final RedisScript<String> transitionScript =
            LuaScripts.load("transition", String.class);
    private final RedisScript<String> appendScript =
            LuaScripts.load("append-session-event", String.class);
    private final RedisScript<String> enqueueScript =
            LuaScripts.load("enqueue", String.class);
    private final RedisScript<Long> leaseScript =
            LuaScripts.load("lease", Long.class);

    public RunStore(ReactiveStringRedisTemplate redis, JsonMapper json) {
        this.redis = redis;
        this.json = json;
    }

    /** A run to record and queue. {@code model} and {@code plan} are null when no GPU worker was there to ask. */
    public record NewRun(String runId, RunRequest request, Layout layout, List<String> workers, String model,
                         SessionPlan plan, long seed, String client, Instant createdAt) {}

    /** What {@link #enqueue} did: accepted (and the queue's depth with it) or refused because the queue is full. */
    public record Enqueued(boolean accepted, long depth) {}

    /** What {@link #move} found: moved, or the status the run was in instead ({@code null} when there is no run). */
    public record Move(boolean moved, RunStatus current) {}

    /**
     * Records a run as QUEUED (its log starting with RUN_QUEUED) and queues it under its client, in one step; or, when
     * {@code maxDepth} runs are queued already, records nothing.
     */
    public Mono<Enqueued> enqueue(QueueKeys queue, NewRun run, int maxDepth) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(Field.RUN_ID, run.runId());
        fields.put(Field.STATUS, RunStatus.QUEUED.name());
        fields.put(Field.LAYOUT, run.layout().name());
        fields.put(Field.WORKERS, String.join(",", run.workers()));
        fields.put(Field.CREATED_AT, Long.toString(run.createdAt().toEpochMilli()));
        fields.put(Field.REQUEST, json.writeValueAsString(run.request()));
        fields.put(Field.LAST_SESSION_SEQ, "0");
        fields.put(Field.CLIENT, run.client());
        fields.put(Field.SEED, Long.toString(run.seed()));
        putIfNotNull(fields, Field.MODEL, run.model());
        if (run.plan() != null) {
            fields.put(Field.PLAN, json.writeValueAsString(run.plan()));
        }
        for (String worker : run.workers()) {
            fields.put(Field.worker(worker, "state"), "waiting");
        }
        List<String> args = new ArrayList<>(List.of(
                Integer.toString(maxDepth),
                run.runId(),
                run.client(),
                Long.toString(run.createdAt().toEpochMilli()),
                eventJson(run.runId(), new EventData.RunQueued(run.layout(), run.workers()))));
        fields.forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        List<String> keys = List.of(RunKeys.run(run.runId()), RunKeys.events(run.runId()), RunKeys.ALL,
                RunKeys.byStatus(RunStatus.QUEUED), queue.client(run.client()), queue.ring(), queue.pending());
        return redis.execute(enqueueScript, keys, args).next().map(reply -> {
            int colon = reply.indexOf(':');
            return new Enqueued(reply.startsWith("queued"), Long.parseLong(reply.substring(colon + 1)));
        });
    }

    /**
     * Moves the run to {@code to} if its status is one of {@code from}, writing {@code fields} with it.
     *
     * @return true when it moved; false when the run was elsewhere (e.g. already final) or missing
     */
    public Mono<Boolean> transition(String runId, Collection<RunStatus> from, RunStatus to, Map<String, String> fields) {
        return move(runId, from, to, fields, null).map(Move::moved);
    }

    /**
     * Moves the run to {@code to} if its status is one of {@code from}, writing {@code fields} and appending
     * {@code event} (when not null) in the same step, so the event is written exactly when the status moves.
     */
    public Mono<Move> move(String runId, Collection<RunStatus> from, RunStatus to, Map<String, String> fields,
                           EventData event) {
        List<String> keys = new ArrayList<>();
        keys.add(RunKeys.run(runId));
        Arrays.stream(RunStatus.values()).map(RunKeys::byStatus).forEach(keys::add);
        keys.add(RunKeys.events(runId));
        List<String> args = new ArrayList<>();
        args.add(from.stream().map(Enum::name).collect(Collectors.joining(",")));
        args.add(to.name());
        args.add(runId);
        args.add(event == null ? "" : eventJson(runId, event));
        fields.forEach((k, v) -> {
            if (v != null) {
                args.add(k);
                args.add(v);
            }
        });
        return redis.execute(transitionScript, keys, args).next().map(reply -> "OK".equals(reply)
                ? new Move(true, to)
                : new Move(false, reply.isEmpty() ? null : RunStatus.valueOf(reply)));
    }

    /** Appends one of the orchestrator's own events; returns its id. */
    public Mono<String> append(String runId, EventData data) {
        return redis.opsForStream()
                .add(StreamRecords.newRecord().in(RunKeys.events(runId))
                        .ofMap(Map.of(EVENT_FIELD, eventJson(runId, data))))
                .map(Object::toString);
    }

    private String eventJson(String runId, EventData data) {
        return json.writeValueAsString(new RunEvent(null, runId, System.currentTimeMillis(), null, null, data));
    }

    /** What recording a GPU worker event did (see append-session-event.lua). */
    public sealed interface Recorded {
        /** Written to the log as {@code event}. */
        record Appended(RunEvent event) implements Recorded {}

        /** Recorded before (a replay); {@code lastSeq} is the last recorded session seq. */
        record Duplicate(long lastSeq) implements Recorded {}

        /** Refused: it would leave a gap after {@code lastSeq}. */
        record Gap(long lastSeq) implements Recorded {}

        /** The run does not exist. */
        record Missing() implements Recorded {}
    }

    /**
     * Records one GPU worker event, exactly once and in seq order, and updates the worker's counters.
     */
    public Mono<Recorded> appendSessionEvent(String runId, SessionEvent event) {
        RunEvent recorded = new RunEvent(null, runId, event.atMillis(), event.seq(), event.lockstep(), event.data());
        EventData data = event.data();
        EventData.OfStep ofStep = data instanceof EventData.OfStep s ? s : null;
        int tokens = data instanceof EventData.Tokens t && t.tokenIds() != null ? t.tokenIds().size() : 0;
        String answer = data instanceof EventData.FinalAnswer a ? a.answer() : null;
        // A worker stops on its budget, on EOS or at the context limit (the run may go on with the others).
        boolean stops = data instanceof EventData.BudgetExhausted
                || data instanceof EventData.StepFinished f && ("eos".equals(f.end()) || "context".equals(f.end()));
        List<String> args = List.of(
                Long.toString(event.seq()),
                json.writeValueAsString(recorded),
                ofStep == null ? "" : Objects.requireNonNullElse(ofStep.worker(), ""),
                event.type().name(),
                ofStep == null ? "" : Integer.toString(ofStep.step()),
                Integer.toString(tokens),
                Objects.requireNonNullElse(answer, ""),
                stops ? "done" : "");
        return redis.execute(appendScript, List.of(RunKeys.run(runId), RunKeys.events(runId)), args)
                .next()
                .map(reply -> {
                    int colon = reply.indexOf(':');
                    String value = colon < 0 ? "" : reply.substring(colon + 1);
                    return switch (colon < 0 ? reply : reply.substring(0, colon)) {
                        case "appended" -> new Recorded.Appended(withId(recorded, value));
                        case "duplicate" -> new Recorded.Duplicate(Long.parseLong(value));
                        case "gap" -> new Recorded.Gap(Long.parseLong(value));
                        default -> new Recorded.Missing();
                    };
                });
    }

    /** Sets descriptive fields (never status, never failure data: those go through {@link #transition}). */
    public Mono<Void> setFields(String runId, Map<String, String> fields) {
        return redis.opsForHash().putAll(RunKeys.run(runId), fields).then();
    }

    /** The plan built at dispatch, and the model it is for. */
    public Mono<Void> setPlan(String runId, String model, SessionPlan plan) {
        return setFields(runId, Map.of(Field.MODEL, model, Field.PLAN, json.writeValueAsString(plan)));
    }

    public Mono<Map<String, String>> fields(String runId) {
        return redis.<String, String>opsForHash().entries(RunKeys.run(runId))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .filter(map -> !map.isEmpty());
    }

    /** What the dispatcher needs of a run: its request, what was planned so far, and any session it was given. */
    public record Dispatchable(String runId, RunStatus status, RunRequest request, String model, SessionPlan plan,
                               long seed, String client, String gpuWorker, String gpuWorkerUrl, String sessionId) {}

    public Mono<Dispatchable> dispatchable(String runId) {
        return fields(runId).map(f -> new Dispatchable(runId, RunStatus.valueOf(f.get(Field.STATUS)),
                json.readValue(f.get(Field.REQUEST), RunRequest.class), f.get(Field.MODEL), plan(f),
                Long.parseLong(f.getOrDefault(Field.SEED, "0")), f.get(Field.CLIENT), f.get(Field.GPU_WORKER),
                f.get(Field.GPU_WORKER_URL), f.get(Field.SESSION_ID)));
    }

    public Mono<RunView> view(String runId) {
        return fields(runId).map(this::toView);
    }

    public Mono<RunDetail> detail(String runId) {
        return fields(runId).zipWith(redis.opsForStream().size(RunKeys.events(runId)).defaultIfEmpty(0L))
                .map(t -> new RunDetail(toView(t.getT1()), plan(t.getT1()), t.getT2()));
    }

    public Mono<SessionPlan> plan(String runId) {
        return fields(runId).mapNotNull(this::plan);
    }

    /** Events after {@code afterId} (exclusive; null = from the start), oldest first, at most {@code limit}. */
    public Flux<RunEvent> events(String runId, String afterId, int limit) {
        Range<String> range = afterId == null
                ? Range.unbounded()
                : Range.rightUnbounded(Range.Bound.inclusive(nextId(afterId)));
        return redis.<String, String>opsForStream()
                .range(RunKeys.events(runId), range, Limit.limit().count(limit))
                .map(this::toEvent);
    }

    /** The whole log, oldest first. */
    public Flux<RunEvent> allEvents(String runId) {
        return redis.<String, String>opsForStream().range(RunKeys.events(runId), Range.unbounded())
                .map(this::toEvent);
    }

    /** Runs, newest first, optionally only those in one status. */
    public Mono<RunPage> list(RunStatus status, int page, int size) {
        String key = status == null ? RunKeys.ALL : RunKeys.byStatus(status);
        long start = (long) page * size;
        return redis.opsForZSet().size(key).defaultIfEmpty(0L).flatMap(total ->
                redis.opsForZSet().reverseRange(key, Range.closed(start, start + size - 1))
                        .concatMap(this::view)
                        .collectList()
                        .map(items -> new RunPage(items, page, size, total)));
    }

    /** Ids of runs in one status (used to resume following RUNNING runs after a restart). */
    public Flux<String> idsWithStatus(RunStatus status) {
        return redis.opsForZSet().range(RunKeys.byStatus(status), Range.closed(0L, -1L));
    }

    /** Takes the lease on a run when it is free, renews it when this instance holds it; false when another does. */
    public Mono<Boolean> acquireOwnership(String runId, String owner, Duration lease) {
        return lease(runId, owner, lease, "hold");
    }

    /** Takes the lease only when nobody holds it (not even {@code owner}): how a takeover claims orphaned runs. */
    public Mono<Boolean> takeOrphaned(String runId, String owner, Duration lease) {
        return lease(runId, owner, lease, "take");
    }

    /** Gives the lease up if this instance holds it (the key only expires otherwise: no data is removed). */
    public Mono<Void> releaseOwnership(String runId, String owner) {
        return lease(runId, owner, Duration.ofMillis(1), "release").then();
    }

    private Mono<Boolean> lease(String runId, String owner, Duration lease, String mode) {
        return redis.execute(leaseScript, List.of(RunKeys.owner(runId)),
                List.of(owner, Long.toString(Math.max(1, lease.toMillis())), mode)).next().map(r -> r == 1L);
    }

    private RunEvent toEvent(MapRecord<String, String, String> record) {
        RunEvent event = json.readValue(record.getValue().get(EVENT_FIELD), RunEvent.class);
        return withId(event, record.getId().getValue());
    }

    private static RunEvent withId(RunEvent e, String id) {
        return new RunEvent(id, e.runId(), e.atMillis(), e.sessionSeq(), e.lockstep(), e.data());
    }

    /** The smallest stream id after {@code id}: "ms-seq" becomes "ms-(seq+1)", which makes the range exclusive. */
    static String nextId(String id) {
        int dash = id.indexOf('-');
        if (dash < 0) {
            return Long.parseLong(id) + "-1";
        }
        return id.substring(0, dash) + "-" + (Long.parseLong(id.substring(dash + 1)) + 1);
    }

    private SessionPlan plan(Map<String, String> fields) {
        String plan = fields.get(Field.PLAN);
        return plan == null ? null : json.readValue(plan, SessionPlan.class);
    }

    RunView toView(Map<String, String> f) {
        RunStatus status = RunStatus.valueOf(f.get(Field.STATUS));
        List<String> workers = f.getOrDefault(Field.WORKERS, "").isEmpty()
                ? List.of() : List.of(f.get(Field.WORKERS).split(","));
        boolean terminal = RunStates.isFinal(status);
        List<RunWorkerProgress> progress = workers.stream().map(name -> new RunWorkerProgress(
                name,
                intField(f, Field.worker(name, "steps")),
                intField(f, Field.worker(name, "tokens")),
                intField(f, Field.worker(name, "step")),
                terminal ? "done" : f.getOrDefault(Field.worker(name, "state"), "waiting"))).toList();
        RunRequest request = f.containsKey(Field.REQUEST) ? json.readValue(f.get(Field.REQUEST), RunRequest.class) : null;
        return new RunView(
                f.get(Field.RUN_ID),
                status,
                f.containsKey(Field.LAYOUT) ? Layout.valueOf(f.get(Field.LAYOUT)) : null,
                workers,
                f.get(Field.MODEL),
                f.get(Field.GPU_WORKER),
                f.get(Field.SESSION_ID),
                instant(f.get(Field.CREATED_AT)),
                instant(f.get(Field.STARTED_AT)),
                instant(f.get(Field.FINISHED_AT)),
                f.get(Field.FINAL_ANSWER),
                f.containsKey(Field.ANSWERS) ? List.of(json.readValue(f.get(Field.ANSWERS), AnswerGiven[].class))
                        : List.of(),
                f.containsKey(Field.ANSWERS_DISAGREE) ? Boolean.valueOf(f.get(Field.ANSWERS_DISAGREE)) : null,
                f.get(Field.FINISH_REASON),
                f.get(Field.FAILURE_REASON),
                progress,
                request,
                f.get(Field.CLIENT),
                null,
                f.containsKey(Field.RESUMED) ? List.of(json.readValue(f.get(Field.RESUMED), RunResumption[].class))
                        : List.of());
    }

    private static int intField(Map<String, String> f, String key) {
        String value = f.get(key);
        return value == null ? 0 : Integer.parseInt(value);
    }

    private static Instant instant(String millis) {
        return millis == null ? null : Instant.ofEpochMilli(Long.parseLong(millis));
    }

    private static void putIfNotNull(Map<String, String> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
