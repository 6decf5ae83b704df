package io.hogwild.engine.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The libtorch operators of the forward pass that DJL's {@link NDArray} API either lacks or issues as several
 * operators (an {@code NDIndex} slice is one {@code aten::slice} per axis; a scalar operand is an upload). Each
 * method here is exactly one operator.
 *
 * <p>DJL attaches a result to the manager of its first operand. When that operand is long-lived (a weight, the
 * cache's storage) the result is moved to {@code scope}, so that it is freed with the pass like everything else.
 */
public final class Torch {

    private Torch() {}

    /** {@code x[..., start:start+length, ...]} along {@code axis}: a view, no copy. */
    public static NDArray narrow(NDArray x, int axis, long start, long length, NDManager scope) {
        return inScope(JniUtils.slice((PtNDArray) x, axis, start, start + length, 1), scope);
    }

    /** {@code a @ b} with broadcasting, the result in {@code scope}. */
    public static NDArray matmul(NDArray a, NDArray b, NDManager scope) {
        return inScope((PtNDArray) a.matMul(b), scope);
    }

    /** Rows {@code ids} of {@code table}, in {@code ids}' manager. */
    public static NDArray embedding(NDArray ids, NDArray table) {
        return JniUtils.embedding((PtNDArray) ids, (PtNDArray) table, false);
    }

    /** Splits {@code x} along {@code axis} into consecutive parts of the given sizes (views). */
    public static NDList split(NDArray x, long[] sizes, int axis) {
        return JniUtils.split((PtNDArray) x, sizes, axis);
    }

    /** The 2-norm over {@code axes}, kept as size-1 axes. */
    public static NDArray norm(NDArray x, int... axes) {
        return JniUtils.norm((PtNDArray) x, 2, axes, true);
    }

    /** Sum over {@code axes}, kept as size-1 axes or dropped. */
    public static NDArray sum(NDArray x, boolean keepAxes, long... axes) {
        return JniUtils.sum((PtNDArray) x, axes, keepAxes);
    }

    /** Softmax along {@code axis}, computed and returned in {@code dtype} whatever the input's. */
    public static NDArray softmax(NDArray x, int axis, DataType dtype) {
        return JniUtils.softmax((PtNDArray) x, axis, dtype);
    }

    /** Elements of {@code x} (read as one flat array in logical order) at {@code flatIndex}, shaped like the index. */
    public static NDArray take(NDArray x, NDArray flatIndex, NDManager scope) {
        return JniUtils.take((PtNDArray) x, (PtNDArray) flatIndex, (PtNDManager) scope);
    }

    /** {@code target[index] = values} in place (one {@code index_put_}); {@code index} is built once per pass. */
    public static void put(NDArray target, NDIndex index, NDArray values) {
        JniUtils.indexAdvPut((PtNDArray) target, index, (PtNDArray) values);
    }

    private static NDArray inScope(PtNDArray result, NDManager scope) {
        if (result.getManager() != scope) {
            result.attach(scope);
        }
        return result;
    }
}
