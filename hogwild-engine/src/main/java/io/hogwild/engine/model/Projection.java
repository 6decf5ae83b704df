package io.hogwild.engine.model;

import ai.djl.ndarray.NDArray;
import io.hogwild.engine.tensor.MklCpuPath;
import io.hogwild.engine.tensor.RowsKernel;
import java.nio.ByteBuffer;

/**
 * A projection {@code y = x @ W^T} of token-major rows {@code x [rows, in]}, with {@code W [out, in]} as stored.
 *
 * <p>One row is a matrix-vector product however it is written: {@code x @ W^T}, one matmul. For several rows the
 * orientation matters on CPU BLAS, and which one wins depends on the kernels MKL picked ({@link MklCpuPath}). With its
 * vendor-chosen kernels on AMD, {@code W @ x^T} (the rows as the small, first-stride operand) runs near memory speed
 * and {@code x @ W^T} up to twice slower from 2 rows on; with the feature-chosen ones, {@code x @ W^T} is up to twice
 * faster at 2 and 3 rows and {@code W @ x^T} from about 4 on. So rows up to {@link #ROWS_AS_LEFT_OPERAND} are
 * projected as {@code x @ W^T}, more as {@code (W @ x^T)^T}, whose result is a transposed view, {@code [rows, out]}
 * like the other, that the next operations take as it is (and a projection of it, {@link #applyToProjected}, reads it
 * transposed). From {@value RowsKernel#MIN_ROWS} to {@value RowsKernel#MAX_ROWS} float32 rows on the CPU, both
 * orientations make MKL copy the weight first; the {@link RowsKernel} (when the launcher built it) reads it as stored.
 *
 * <p>A class, not a record: its identity is the weight's, and a record would compare and hash the storage's bytes.
 */
public final class Projection {

    private final NDArray weight;
    private final NDArray transposed;
    /** The weight's storage for the {@link RowsKernel}, {@code null} where it does not apply. */
    private final ByteBuffer storage;

    /**
     * @param weight {@code W [out, in]}
     * @param transposed {@code W^T [in, out]}, a view of it
     */
    public Projection(NDArray weight, NDArray transposed) {
        this.weight = weight;
        this.transposed = transposed;
        this.storage = RowsKernel.storageOf(weight);
    }

    /** {@code W [out, in]}. */
    public NDArray weight() {
        return weight;
    }

    /** {@code W^T [in, out]}, a view of the weight. */
    public NDArray transposed() {
        return transposed;
    }

    /** The weight's storage for the {@link RowsKernel}, {@code null} where it does not apply. */
    public ByteBuffer storage() {
        return storage;
    }

    /** Most rows projected as {@code x @ W^T}; see the class comment. */
    static final int ROWS_AS_LEFT_OPERAND = MklCpuPath.byFeatures() ? 3 : 1;

    /** {@code x @ W^T}, {@code [rows, out]}, in {@code x}'s manager, for rows {@code x} stored token-major. */
    public NDArray apply(NDArray x) {
        NDArray byKernel = byRowsKernel(x);
        if (byKernel != null) {
            return byKernel;
        }
        if (x.getShape().get(0) <= ROWS_AS_LEFT_OPERAND) {
            return x.matMul(transposed);
        }
        NDArray y = weight.matMul(x.transpose());
        y.attach(x.getManager());
        return y.transpose();
    }

    /**
     * {@code x @ W^T} for rows that are themselves (an elementwise function of) a projection's result, stored
     * feature-major when there are several: read as they are, transposed, by one matmul.
     */
    public NDArray applyToProjected(NDArray x) {
        NDArray byKernel = byRowsKernel(x);
        return byKernel != null ? byKernel : x.matMul(transposed);
    }

    /** {@code x @ W^T} by the {@link RowsKernel}, or {@code null} where it does not apply. */
    private NDArray byRowsKernel(NDArray x) {
        if (storage == null || !RowsKernel.applies(x.getShape().get(0), x.getDataType(), x.getDevice())) {
            return null;
        }
        return RowsKernel.project(x, storage, weight.getShape().get(0), x.getManager());
    }
}
