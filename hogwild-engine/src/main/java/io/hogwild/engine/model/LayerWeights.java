package io.hogwild.engine.model;

import ai.djl.ndarray.NDArray;

/**
 * The tensors of one decoder layer, laid out for few, large ops: q/k/v fused into one projection and gate/up into
 * another, all in PyTorch's {@code [out, in]} linear layout.
 *
 * @param inputNorm RMSNorm weight before attention {@code [hidden]}
 * @param qkv fused query/key/value projection {@code [(heads + 2 kvHeads) * headDim, hidden]}
 * @param qkvBias fused bias (Qwen2) or {@code null}
 * @param qNorm per-head RMSNorm weight for queries (Qwen3) {@code [headDim]} or {@code null}
 * @param kNorm per-head RMSNorm weight for keys (Qwen3) {@code [headDim]} or {@code null}
 * @param out attention output projection {@code [hidden, heads * headDim]}
 * @param postNorm RMSNorm weight before the MLP {@code [hidden]}
 * @param gateUp fused SwiGLU gate and up projections {@code [2 * intermediate, hidden]}
 * @param down MLP down projection {@code [hidden, intermediate]}
 */
public record LayerWeights(NDArray inputNorm, NDArray qkv, NDArray qkvBias, NDArray qNorm, NDArray kNorm,
                           NDArray out, NDArray postNorm, NDArray gateUp, NDArray down) {}
