package io.hogwild.engine.model;

import ai.djl.ndarray.NDArray;

/**
 * The tensors of one decoder layer in the forward pass's layout ({@link WeightLayout}): projections fused, RMSNorm
 * weights folded into the projections after them, rows and columns in head order, a column (or row) for the
 * residual stream's extra feature. Each matrix is the right operand of {@code x @ W^T} for token-major rows
 * {@code x}: {@code W^T}, {@code [in, out]}, a transposed view of {@code W} as stored.
 *
 * @param qkv fused query/key/value projection {@code [hidden + 1, kvHeads * (group + 2) * headDim]}
 * @param qkvBias fused bias {@code [kvHeads * (group + 2) * headDim]} (Qwen2) or {@code null}
 * @param qkNorm per-head RMSNorm weight of q and k (Qwen3), float32 {@code [group + 1, headDim / 2, 2]}, or
 *     {@code null}
 * @param out attention output projection, per head: {@code [heads, headDim, hidden + 1]}
 * @param gateUp fused SwiGLU gate and up projections {@code [hidden + 1, 2 * intermediate]}
 * @param down MLP down projection {@code [intermediate, hidden + 1]}
 */
public record LayerWeights(NDArray qkv, NDArray qkvBias, NDArray qkNorm, NDArray out, NDArray gateUp, NDArray down) {}
