package io.hogwild.engine.model;

import ai.djl.ndarray.NDArray;

/**
 * The tensors of one decoder layer in the forward pass's layout ({@link WeightLayout}): projections fused, RMSNorm
 * weights folded into the projections after them, rows and columns in head order, a column (or row) for the
 * residual stream's extra feature.
 *
 * @param qkv fused query/key/value projection {@code [(kvHeads * headDim * (group + 1)) + kvHeads * headDim, hidden + 1]}
 * @param qkvBias fused bias {@code [rows of qkv, 1]} (Qwen2) or {@code null}
 * @param qkNorm per-head RMSNorm weight of q and k (Qwen3), float32 {@code [headDim / 2, 2, 1, group + 1, 1]}, or
 *     {@code null}
 * @param out attention output projection {@code [hidden + 1, heads * headDim]}
 * @param gateUp fused SwiGLU gate and up projections {@code [2 * intermediate, hidden + 1]}
 * @param down MLP down projection {@code [hidden + 1, intermediate]}
 */
public record LayerWeights(NDArray qkv, NDArray qkvBias, NDArray qkNorm, NDArray out, NDArray gateUp, NDArray down) {}
