package io.hogwild.contracts.worker;

import java.util.Map;

/**
 * The model a GPU worker serves.
 *
 * @param id model id (folder name unless configured)
 * @param architecture Hugging Face architecture, e.g. {@code Qwen3ForCausalLM}
 * @param contextLimit maximum positions a worker's view may span
 * @param vocabSize vocabulary size
 * @param chatTemplate the Jinja chat template from tokenizer_config.json (may be null)
 * @param specialTokens e.g. bos_token, eos_token, pad_token (values may be null)
 * @param reasoningTags the tags that open and close the model's thinking block, when its tokenizer has them (a
 *     reasoning model such as Qwen3, QwQ or R1-Distill); null otherwise
 * @param capacity what the serving worker can still take on ({@code GET /v1/model}); null where no worker serves it
 */
public record ModelInfo(String id, String architecture, int contextLimit, int vocabSize, String chatTemplate,
                        Map<String, String> specialTokens, ReasoningTags reasoningTags, WorkerCapacity capacity) {

    /** The model alone, without a worker's capacity. */
    public ModelInfo(String id, String architecture, int contextLimit, int vocabSize, String chatTemplate,
                     Map<String, String> specialTokens, ReasoningTags reasoningTags) {
        this(id, architecture, contextLimit, vocabSize, chatTemplate, specialTokens, reasoningTags, null);
    }

    /** The same model with the serving worker's capacity now. */
    public ModelInfo withCapacity(WorkerCapacity now) {
        return new ModelInfo(id, architecture, contextLimit, vocabSize, chatTemplate, specialTokens, reasoningTags,
                now);
    }

    /** E.g. {@code <think>} and {@code </think>}. */
    public record ReasoningTags(String open, String close) {}
}
