package io.hogwild.engine.model;

import ai.djl.ndarray.NDArray;

/**
 * The tensors of one decoder layer in the forward pass's layout ({@link WeightLayout}): projections fused, RMSNorm
 * weights folded into the projections after them, rows and columns in head order, a column (or row) for the
 * residual stream's extra feature.
 *
 * @param qkv fused query/key/value projection {@code [kvHeads * (group + 2) * headDim, hidden + 1]}
 * @param qkvBias fused bias {@code [kvHeads * (group + 2) * headDim]} (Qwen2) or {@code null}
 * @param qkNorm per-head RMSNorm weight of q and k (Qwen3), float32 {@code [group + 1, headDim / 2, 2]}, or
 *     {@code null}
 * @param out attention output projection {@code [hidden + 1, heads * headDim]}
 * @param outPerHead the same as the right operand of each head's part: {@code [heads, headDim, hidden + 1]} (a view)
 * @param gateUp fused SwiGLU gate and up projections {@code [2 * intermediate, hidden + 1]}
 * @param down MLP down projection {@code [hidden + 1, intermediate]}
 */
public record LayerWeights(Projection qkv, NDArray qkvBias, NDArray qkNorm, Projection out, NDArray outPerHead,
                           Projection gateUp, Projection down) {}
