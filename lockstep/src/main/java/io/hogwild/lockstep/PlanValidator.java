package io.hogwild.lockstep;

import io.hogwild.contracts.worker.BlockRole;
import io.hogwild.contracts.worker.BlockSpec;
import io.hogwild.contracts.worker.CollaborationPolicy;
import io.hogwild.contracts.worker.ResumeSpec;
import io.hogwild.contracts.worker.SamplingSpec;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.TextSpan;
import io.hogwild.contracts.worker.WorkerSpec;
import io.hogwild.engine.LanguageModel;
import io.hogwild.engine.cache.SharedCache;
import io.hogwild.engine.tokenizer.Tokenizer;
import io.hogwild.collaboration.policy.TokenHygiene;
import io.hogwild.collaboration.prompt.PromptTexts;
import io.hogwild.contracts.event.EventData.BlockContent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Checks a session plan before anything is allocated, naming the offending field (snake_case, as the client wrote
 * it) in an {@link InvalidPlanException}; and estimates the session's worst-case cache size for admission.
 */
public final class PlanValidator {

    static final int MAX_WORKERS = 64;
    static final int MAX_BLOCKS = 256;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /**
     * Admission assumes steps average at least this many generated tokens (a step needs a sentence and a blank line
     * to end), so a worker starts at most budget / this many steps, each with a prefix.
     */
    static final int ASSUMED_MIN_STEP_TOKENS = 16;
    /** At most what closes a cut step: a fence closer and the blank line. */
    static final int CLOSING_TOKENS = 4;

    private final Tokenizer tokenizer;
    private final int vocabSize;
    private final int contextLimit;
    private final long bytesPerToken;
    private final Supplier<TokenHygiene> hygiene;

    public PlanValidator(LanguageModel model) {
        this.tokenizer = model.tokenizer();
        this.hygiene = () -> CheckpointVocabulary.hygiene(model);
        this.vocabSize = model.config().vocabSize();
        this.contextLimit = model.config().maxPositionEmbeddings();
        var c = model.config();
        this.bytesPerToken = 2L * c.numLayers() * c.numKvHeads() * c.headDim()
                * model.transformer().cacheDataType().getNumOfBytes();
    }

    public ValidatedPlan validate(SessionPlan plan) {
        if (plan == null) {
            throw new InvalidPlanException(null, "a session plan is required");
        }
        String sessionId = plan.sessionId();
        if (sessionId == null || sessionId.isEmpty()) {
            sessionId = UUID.randomUUID().toString();
        } else if (!ID.matcher(sessionId).matches()) {
            throw invalid("session_id", "must be 1-128 characters of letters, digits, '.', '_', ':' or '-'");
        }
        if (plan.layout() == null) {
            throw invalid("layout", "is required (contiguous, interleaved, combined, independent or single)");
        }
        Map<String, BlockSpec> blocks = new LinkedHashMap<>();
        Map<String, int[]> initial = validateBlocks(plan.blocks(), blocks);
        validateWorkers(plan.workers(), blocks);
        CollaborationPolicy policy = plan.policy();
        validatePolicy(policy);
        validateSampling(plan.sampling());

        long promptTokens = initial.values().stream().mapToLong(t -> t.length).sum();
        int longestPrefix = 0;
        for (int i = 0; i < plan.workers().size(); i++) {
            WorkerSpec w = plan.workers().get(i);
            String first = PromptTexts.stepPrefix(policy.stepPrefixFormat(), w.name(), 1)
                    + (policy.openingFormat() == null ? "" : PromptTexts.stepPrefix(policy.openingFormat(), w.name(), 1));
            int prefix = tokenizer.encode(first).length;
            if (prefix == 0) {
                throw invalid("policy.step_prefix_format", "must produce at least one token");
            }
            longestPrefix = Math.max(longestPrefix, Math.max(prefix, tokenizer.encode(
                    PromptTexts.stepPrefix(policy.stepPrefixFormat(), w.name(), 99_999)).length));
            long viewed = w.view().stream().mapToLong(b -> initial.get(b).length).sum();
            if (viewed + prefix >= contextLimit) {
                throw invalid("blocks", "the prompt seen by worker '" + w.name() + "' is " + viewed
                        + " tokens; with its first step prefix it does not fit the model's context of "
                        + contextLimit + " tokens");
            }
        }
        int selfCheck = policy.selfCheckEveryTokens() > 0 ? tokenizer.encode(policy.selfCheckText()).length : 0;
        List<BlockContent> prefilled = new ArrayList<>();
        for (BlockSpec b : plan.blocks()) {
            int[] tokens = initial.get(b.name());
            if (tokens.length > 0) {
                prefilled.add(new BlockContent(b.name(), Arrays.stream(tokens).boxed().toList(),
                        b.text() != null ? b.text() : tokenizer.decode(tokens)));
            }
        }
        validateResume(plan, prefilled);
        long bytes = estimateCacheBytes(promptTokens, plan.workers().size(), policy, longestPrefix, selfCheck);
        return new ValidatedPlan(plan, sessionId, initial, promptTokens, List.copyOf(prefilled), bytes);
    }

    /**
     * Worst-case cache bytes: the prompt, plus per worker its budget, a prefix for every step it may start, a
     * self-check and a closing blank line for each, all times the blocks' growth headroom. (The finisher runs after
     * the shared cache is freed, in a sequence no longer than the shared cache was.)
     */
    long estimateCacheBytes(long promptTokens, int workers, CollaborationPolicy p, int prefixTokens,
                            int selfCheckTokens) {
        long budget = p.maxTokensPerWorker();
        long steps = budget / Math.max(1, Math.min(p.maxStepTokens(), ASSUMED_MIN_STEP_TOKENS)) + 1;
        long selfChecks = p.selfCheckEveryTokens() > 0 ? budget * workers / p.selfCheckEveryTokens() + 1 : 0;
        long perWorker = budget + steps * (prefixTokens + CLOSING_TOKENS) + selfChecks * selfCheckTokens;
        double tokens = promptTokens + (double) workers * perWorker;
        return (long) Math.ceil(tokens * SharedCache.ALLOCATION_HEADROOM) * bytesPerToken;
    }

    private Map<String, int[]> validateBlocks(List<BlockSpec> specs, Map<String, BlockSpec> byName) {
        if (specs == null || specs.isEmpty()) {
            throw invalid("blocks", "at least one block is required");
        }
        if (specs.size() > MAX_BLOCKS) {
            throw invalid("blocks", "at most " + MAX_BLOCKS + " blocks");
        }
        Map<String, int[]> initial = new LinkedHashMap<>();
        for (int i = 0; i < specs.size(); i++) {
            BlockSpec b = specs.get(i);
            String at = "blocks[" + i + "]";
            if (b == null) {
                throw invalid(at, "must not be null");
            }
            if (b.name() == null || b.name().isBlank()) {
                throw invalid(at + ".name", "is required");
            }
            if (byName.putIfAbsent(b.name(), b) != null) {
                throw invalid(at + ".name", "duplicate block name '" + b.name() + "'");
            }
            if (b.role() == null) {
                throw invalid(at + ".role", "is required");
            }
            if (b.callerText() != null && !b.callerText().isEmpty() && b.text() == null) {
                throw invalid(at + ".caller_text", "marks ranges of text; this block has none");
            }
            if (b.text() != null && b.tokenIds() != null) {
                throw invalid(at + ".token_ids", "give either text or token_ids, not both");
            }
            int[] tokens;
            if (b.tokenIds() != null) {
                tokens = new int[b.tokenIds().size()];
                for (int t = 0; t < tokens.length; t++) {
                    Integer id = b.tokenIds().get(t);
                    if (id == null || id < 0 || id >= vocabSize) {
                        throw invalid(at + ".token_ids[" + t + "]", "not a token id of this model (vocabulary "
                                + vocabSize + ")");
                    }
                    tokens[t] = id;
                }
            } else if (b.text() != null && !b.text().isEmpty()) {
                tokens = tokenizer.encode(b.text(), callerText(b, at));
            } else {
                tokens = new int[0];
            }
            if (tokens.length >= contextLimit) {
                throw invalid(at + (b.tokenIds() != null ? ".token_ids" : ".text"), "is " + tokens.length
                        + " tokens, longer than the model's context of " + contextLimit);
            }
            initial.put(b.name(), tokens);
        }
        return initial;
    }

    /** The block's caller-text ranges, checked: inside its text, in order, not overlapping. */
    private static List<Tokenizer.Span> callerText(BlockSpec b, String at) {
        if (b.callerText() == null || b.callerText().isEmpty()) {
            return List.of();
        }
        List<Tokenizer.Span> spans = new ArrayList<>();
        int previousEnd = 0;
        for (int j = 0; j < b.callerText().size(); j++) {
            TextSpan span = b.callerText().get(j);
            String field = at + ".caller_text[" + j + "]";
            if (span == null || span.start() < previousEnd || span.end() < span.start()
                    || span.end() > b.text().length()) {
                throw invalid(field, "must be a range [start, end) inside the text (" + b.text().length()
                        + " characters), after the previous range");
            }
            spans.add(new Tokenizer.Span(span.start(), span.end()));
            previousEnd = span.end();
        }
        return spans;
    }

    private void validateWorkers(List<WorkerSpec> workers, Map<String, BlockSpec> blocks) {
        if (workers == null || workers.isEmpty()) {
            throw invalid("workers", "at least one worker is required");
        }
        if (workers.size() > MAX_WORKERS) {
            throw invalid("workers", "at most " + MAX_WORKERS + " workers");
        }
        Set<String> names = new HashSet<>();
        Map<String, String> stepBlockOwner = new HashMap<>();
        for (int i = 0; i < workers.size(); i++) {
            WorkerSpec w = workers.get(i);
            String at = "workers[" + i + "]";
            if (w == null) {
                throw invalid(at, "must not be null");
            }
            if (w.name() == null || w.name().isBlank()) {
                throw invalid(at + ".name", "is required");
            }
            if (w.name().length() > 64 || w.name().chars().anyMatch(Character::isISOControl)) {
                throw invalid(at + ".name", "at most 64 printable characters");
            }
            if (!names.add(w.name())) {
                throw invalid(at + ".name", "duplicate worker name '" + w.name() + "'");
            }
            if (w.view() == null || w.view().isEmpty()) {
                throw invalid(at + ".view", "a worker needs a view of at least one block");
            }
            Set<String> seen = new HashSet<>();
            for (int j = 0; j < w.view().size(); j++) {
                String block = w.view().get(j);
                if (block == null || !blocks.containsKey(block)) {
                    throw invalid(at + ".view[" + j + "]", "unknown block '" + block + "'");
                }
                if (!seen.add(block)) {
                    throw invalid(at + ".view[" + j + "]", "block '" + block + "' appears twice in the view");
                }
            }
            String step = w.stepBlock();
            BlockRole role = blocks.get(step).role();
            if (role != BlockRole.WORKER_STEP) {
                throw invalid(at + ".view", "the last block is the one the worker writes: it must be a worker_step "
                        + "block, '" + step + "' is " + role);
            }
            String owner = stepBlockOwner.putIfAbsent(step, w.name());
            if (owner != null) {
                throw invalid(at + ".view", "step block '" + step + "' is already written by '" + owner + "'");
            }
            if (w.historyBlock() != null) {
                if (!blocks.containsKey(w.historyBlock())) {
                    throw invalid(at + ".history_block", "unknown block '" + w.historyBlock() + "'");
                }
                if (w.historyBlock().equals(step)) {
                    throw invalid(at + ".history_block", "cannot promote the step block into itself");
                }
            }
        }
        // A block promoted into must not be someone's step block (it would be emptied under them).
        for (int i = 0; i < workers.size(); i++) {
            String history = workers.get(i).historyBlock();
            if (history != null && stepBlockOwner.containsKey(history)) {
                throw invalid("workers[" + i + "].history_block", "'" + history + "' is the step block of '"
                        + stepBlockOwner.get(history) + "'");
            }
        }
    }

    private void validatePolicy(CollaborationPolicy p) {
        if (p == null) {
            throw invalid("policy", "is required");
        }
        if (p.stepPrefixFormat() == null || p.stepPrefixFormat().isEmpty()) {
            throw invalid("policy.step_prefix_format", "is required (it starts every step)");
        }
        if (p.maxTokensPerWorker() < 1 || p.maxTokensPerWorker() >= contextLimit) {
            throw invalid("policy.max_tokens_per_worker", "must be in [1, " + (contextLimit - 1)
                    + "] (the model's context), got " + p.maxTokensPerWorker());
        }
        if (p.maxStepTokens() < 1 || p.maxStepTokens() >= contextLimit) {
            throw invalid("policy.max_step_tokens", "must be in [1, " + (contextLimit - 1) + "], got "
                    + p.maxStepTokens());
        }
        if (p.selfCheckEveryTokens() < 0) {
            throw invalid("policy.self_check_every_tokens", "must be >= 0 (0 = never)");
        }
        if (p.selfCheckEveryTokens() > 0 && (p.selfCheckText() == null || p.selfCheckText().isEmpty())) {
            throw invalid("policy.self_check_text", "is required when self_check_every_tokens > 0");
        }
        if (p.finisherTokens() < 0 || p.finisherTokens() >= contextLimit) {
            throw invalid("policy.finisher_tokens", "must be in [0, " + (contextLimit - 1) + "], got "
                    + p.finisherTokens());
        }
        if (p.finisherTokens() > 0 && (p.finisherText() == null || p.finisherText().isEmpty())) {
            throw invalid("policy.finisher_text", "is required when finisher_tokens > 0");
        }
    }

    private void validateSampling(SamplingSpec s) {
        if (s == null) {
            return; // greedy
        }
        if (!(s.temperature() >= 0) || s.temperature() > 100) {
            throw invalid("sampling.temperature", "must be in [0, 100] (0 = greedy), got " + s.temperature());
        }
        if (!(s.topP() > 0 && s.topP() <= 1)) {
            throw invalid("sampling.top_p", "must be in (0, 1], got " + s.topP());
        }
        if (s.topK() < 0) {
            throw invalid("sampling.top_k", "must be >= 0 (0 = no limit), got " + s.topK());
        }
        if (s.bannedTokenIds() != null) {
            for (int i = 0; i < s.bannedTokenIds().size(); i++) {
                Integer id = s.bannedTokenIds().get(i);
                if (id == null || id < 0 || id >= vocabSize) {
                    throw invalid("sampling.banned_token_ids[" + i + "]", "not a token id of this model");
                }
            }
            if (new HashSet<>(s.bannedTokenIds()).size() >= vocabSize) {
                throw invalid("sampling.banned_token_ids", "bans every token");
            }
        }
    }

    /**
     * A resume part must fit the plan: its tokens belong to the plan's workers and its vocabulary, and replaying them
     * through the policy (a dry run, no engine) uses every one of them and reaches exactly the recorded events: at
     * least up to the last recorded choice, and no further than the first choice not recorded.
     */
    private void validateResume(SessionPlan plan, List<BlockContent> prefilled) {
        ResumeSpec resume = plan.resume();
        if (resume == null) {
            return;
        }
        if (resume.eventsRecorded() < 0) {
            throw invalid("resume.events_recorded", "must be >= 0, got " + resume.eventsRecorded());
        }
        Set<String> workers = new HashSet<>();
        plan.workers().forEach(w -> workers.add(w.name()));
        Map<String, List<Integer>> chosen = resume.chosenTokens() == null ? Map.of() : resume.chosenTokens();
        for (Map.Entry<String, List<Integer>> entry : chosen.entrySet()) {
            String at = "resume.chosen_tokens." + entry.getKey();
            if (!workers.contains(entry.getKey())) {
                throw invalid(at, "no worker '" + entry.getKey() + "' in the plan");
            }
            List<Integer> tokens = entry.getValue() == null ? List.of() : entry.getValue();
            if (tokens.size() > plan.policy().maxTokensPerWorker()) {
                throw invalid(at, tokens.size() + " tokens, more than max_tokens_per_worker ("
                        + plan.policy().maxTokensPerWorker() + ")");
            }
            for (int i = 0; i < tokens.size(); i++) {
                Integer id = tokens.get(i);
                if (id == null || id < 0 || id >= vocabSize) {
                    throw invalid(at + "[" + i + "]", "not a token id of this model (vocabulary " + vocabSize + ")");
                }
            }
        }
        ReplayCheck.Reach reach = ReplayCheck.run(plan, prefilled, hygiene.get(), tokenizer, contextLimit);
        reach.left().forEach((worker, count) -> {
            throw invalid("resume.chosen_tokens." + worker, count + " recorded tokens are never reached: the replay "
                    + "stops after pass " + reach.passes() + ", where a worker has no recorded choice left");
        });
        if (resume.eventsRecorded() < reach.leastEvents()) {
            throw invalid("resume.events_recorded", "the recorded tokens imply at least " + reach.leastEvents()
                    + " events, got " + resume.eventsRecorded());
        }
        if (!reach.ended() && resume.eventsRecorded() > reach.mostEvents()) {
            throw invalid("resume.events_recorded", "the recorded tokens lead to at most " + reach.mostEvents()
                    + " events before the first choice not recorded, got " + resume.eventsRecorded());
        }
    }

    private static InvalidPlanException invalid(String field, String message) {
        return new InvalidPlanException(field, field == null ? message : field + ": " + message);
    }
}
