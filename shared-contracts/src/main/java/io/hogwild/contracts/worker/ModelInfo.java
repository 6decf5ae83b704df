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
 */
public record ModelInfo(String id, String architecture, int contextLimit, int vocabSize, String chatTemplate,
                        Map<String, String> specialTokens, ReasoningTags reasoningTags) {

    /** E.g. {@code <think>} and {@code </think>}. */
    public record ReasoningTags(String open, String close) {}
}
