package io.hogwild.orchestrator.run;

import io.hogwild.contracts.Layout;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.run.AnswerGiven;
import io.hogwild.contracts.run.RunDetail;
import io.hogwild.contracts.run.RunEvent;
import io.hogwild.contracts.run.RunPage;
import io.hogwild.contracts.run.RunRequest;
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
import org.springframework.core.io.ClassPathResource;
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
 * Runs in Redis (layout in {@link RunKeys}). Writes are additive: events are only ever appended to the stream, status
 * changes go through a compare-and-set script that never leaves a final status, and nothing here deletes keys.
 */
@Component
public class RunStore {

    /** Fields a stream entry has: the event as JSON (its id is the entry id). */
    private static final String EVENT_FIELD = "e";

    private final ReactiveStringRedisTemplate redis;
    private final JsonMapper json;
    private final RedisScript<String> transitionScript =
            RedisScript.of(new ClassPathResource("redis/transition.lua"), String.class);
    private final RedisScript<String> appendScript =
            RedisScript.of(new ClassPathResource("redis/append-session-event.lua"), String.class);

    public RunStore(ReactiveStringRedisTemplate redis, JsonMapper json) {
        this.redis = redis;
        this.json = json;
    }

    /** A new run, QUEUED, with its request and plan; its log starts with RUN_QUEUED. */
    public Mono<RunView> create(String runId, RunRequest request, Layout layout, List<String> workers, String model,
                                String gpuWorker, String gpuWorkerUrl, SessionPlan plan, Instant createdAt) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(Field.RUN_ID, runId);
        fields.put(Field.STATUS, RunStatus.QUEUED.name());
        fields.put(Field.LAYOUT, layout.name());
        fields.put(Field.WORKERS, String.join(",", workers));
        fields.put(Field.CREATED_AT, Long.toString(createdAt.toEpochMilli()));
        fields.put(Field.REQUEST, json.writeValueAsString(request));
        fields.put(Field.LAST_SESSION_SEQ, "0");
        putIfNotNull(fields, Field.MODEL, model);
        putIfNotNull(fields, Field.GPU_WORKER, gpuWorker);
        putIfNotNull(fields, Field.GPU_WORKER_URL, gpuWorkerUrl);
        if (plan != null) {
            fields.put(Field.PLAN, json.writeValueAsString(plan));
            putIfNotNull(fields, Field.SESSION_ID, plan.sessionId());
        }
        for (String worker : workers) {
            fields.put(Field.worker(worker, "state"), "waiting");
        }
        double score = createdAt.toEpochMilli();
        return redis.opsForHash().putAll(RunKeys.run(runId), fields)
                .then(redis.opsForZSet().add(RunKeys.ALL, runId, score))
                .then(redis.opsForZSet().add(RunKeys.byStatus(RunStatus.QUEUED), runId, score))
                .then(append(runId, new EventData.RunQueued(layout, workers)))
                .then(view(runId));
    }

    /**
     * Moves the run to {@code to} if its status is one of {@code from}, writing {@code fields} with it.
     *
     * @return true when it moved; false when the run was elsewhere (e.g. already final) or missing
     */
    public Mono<Boolean> transition(String runId, Collection<RunStatus> from, RunStatus to, Map<String, String> fields) {
        List<String> keys = new ArrayList<>();
        keys.add(RunKeys.run(runId));
        Arrays.stream(RunStatus.values()).map(RunKeys::byStatus).forEach(keys::add);
        List<String> args = new ArrayList<>();
        args.add(from.stream().map(Enum::name).collect(Collectors.joining(",")));
        args.add(to.name());
        args.add(runId);
        fields.forEach((k, v) -> {
            if (v != null) {
                args.add(k);
                args.add(v);
            }
        });
        return redis.execute(transitionScript, keys, args).next().map("OK"::equals).defaultIfEmpty(false);
    }

    /** Appends one of the orchestrator's own events; returns its id. */
    public Mono<String> append(String runId, EventData data) {
        RunEvent event = new RunEvent(null, runId, System.currentTimeMillis(), null, null, data);
        return redis.opsForStream()
                .add(StreamRecords.newRecord().in(RunKeys.events(runId))
                        .ofMap(Map.of(EVENT_FIELD, json.writeValueAsString(event))))
                .map(Object::toString);
    }

    /**
     * Records one GPU worker event (once, even if a resumed stream repeats it) and updates the worker's counters.
     *
     * @return the new event's id, empty when it was a repeat
     */
    public Mono<RunEvent> appendSessionEvent(String runId, SessionEvent event) {
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
                .map(id -> withId(recorded, id));
    }

    /** Sets descriptive fields (never status, never failure data: those go through {@link #transition}). */
    public Mono<Void> setFields(String runId, Map<String, String> fields) {
        return redis.opsForHash().putAll(RunKeys.run(runId), fields).then();
    }

    public Mono<Map<String, String>> fields(String runId) {
        return redis.<String, String>opsForHash().entries(RunKeys.run(runId))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .filter(map -> !map.isEmpty());
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

    /** Takes or renews the lease that makes this instance the one recording a run's events. */
    public Mono<Boolean> acquireOwnership(String runId, String owner, Duration lease) {
        String key = RunKeys.owner(runId);
        return redis.opsForValue().setIfAbsent(key, owner, lease).flatMap(taken -> taken
                ? Mono.just(true)
                : redis.opsForValue().get(key).flatMap(current -> owner.equals(current)
                        ? redis.expire(key, lease)
                        : Mono.just(false)).defaultIfEmpty(false));
    }

    /** Gives the lease up if this instance holds it (the key only expires otherwise: no data is removed). */
    public Mono<Void> releaseOwnership(String runId, String owner) {
        String key = RunKeys.owner(runId);
        return redis.opsForValue().get(key)
                .filter(owner::equals)
                .flatMap(current -> redis.expire(key, Duration.ofMillis(1)))
                .then();
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
                request);
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
