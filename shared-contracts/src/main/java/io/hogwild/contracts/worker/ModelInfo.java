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
 */
public record ModelInfo(String id, String architecture, int contextLimit, int vocabSize, String chatTemplate,
                        Map<String, String> specialTokens) {}
