package io.hogwild.engine.model;

import java.util.Arrays;

/** The decoder families the engine runs. They differ only in a few switches of the same block. */
public enum Architecture {
    /** Qwen2 / Qwen2.5 (QwQ-32B, DeepSeek-R1-Distill-Qwen): biases on q, k, v. */
    QWEN2("Qwen2ForCausalLM", true, false),
    /** Qwen3: RMSNorm over each head of q and k before RoPE, no attention bias. */
    QWEN3("Qwen3ForCausalLM", false, true),
    /** Llama 3.x: plain attention, usually llama3 RoPE scaling. */
    LLAMA("LlamaForCausalLM", false, false);

    private final String hfName;
    private final boolean qkvBias;
    private final boolean qkNorm;

    Architecture(String hfName, boolean qkvBias, boolean qkNorm) {
        this.hfName = hfName;
        this.qkvBias = qkvBias;
        this.qkNorm = qkNorm;
    }

    public String hfName() {
        return hfName;
    }

    public boolean qkvBias() {
        return qkvBias;
    }

    public boolean qkNorm() {
        return qkNorm;
    }

    public static Architecture fromHfName(String name) {
        return Arrays.stream(values())
                .filter(a -> a.hfName.equals(name))
                .findFirst()
                .orElseThrow(() -> new CheckpointException("config.json: unsupported architecture '" + name
                        + "' in field 'architectures' (supported: Qwen2ForCausalLM, Qwen3ForCausalLM, LlamaForCausalLM)"));
    }
}
