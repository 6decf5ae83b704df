package io.hogwild.engine;

import io.hogwild.engine.model.SafeTensors;
import io.hogwild.engine.model.SafeTensorsWriter;
import io.hogwild.engine.model.SafeTensorsWriter.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checkpoint fixtures for tests: a golden checkpoint's tensors as raw bytes, re-typed, and its other files copied, to
 * write re-sharded, re-typed or corrupted variants with {@link SafeTensorsWriter}.
 */
final class CheckpointFixtures {

    private CheckpointFixtures() {}

    /** Reads every tensor of a checkpoint as raw bytes. */
    static Map<String, Tensor> readAll(Path modelDir) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (SafeTensors st = SafeTensors.open(modelDir)) {
            for (String name : st.names()) {
                SafeTensors.Entry e = st.entry(name);
                try (FileChannel ch = FileChannel.open(e.file(), StandardOpenOption.READ)) {
                    ByteBuffer buf = ByteBuffer.allocate((int) (e.end() - e.start()));
                    ch.read(buf, e.start());
                    out.put(name, new Tensor(e.dtype(), e.shape(), buf.array()));
                }
            }
        }
        return out;
    }

    /** Float32 bytes to IEEE half-precision bytes (round to nearest even). */
    static Tensor toF16(Tensor t) {
        ByteBuffer in = ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(t.data().length / 2).order(ByteOrder.LITTLE_ENDIAN);
        while (in.hasRemaining()) {
            out.putShort(floatToHalf(in.getFloat()));
        }
        return new Tensor("F16", t.shape(), out.array());
    }

    /** Half-precision bytes back to float32 bytes, to build the reference that a F16 checkpoint must match. */
    static Tensor halfRoundedF32(Tensor t) {
        Tensor half = toF16(t);
        ByteBuffer in = ByteBuffer.wrap(half.data()).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(t.data().length).order(ByteOrder.LITTLE_ENDIAN);
        while (in.hasRemaining()) {
            out.putFloat(halfToFloatReference(in.getShort()));
        }
        return new Tensor("F32", t.shape(), out.array());
    }

    static short floatToHalf(float f) {
        int bits = Float.floatToIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = ((bits >>> 23) & 0xff) - 127 + 15;
        int mant = bits & 0x7fffff;
        if (exp >= 31) {
            return (short) (sign | 0x7c00);
        }
        if (exp <= 0) {
            // Subnormal or zero: shift in the implicit bit and round.
            if (exp < -10) {
                return (short) sign;
            }
            mant |= 0x800000;
            int shift = 14 - exp;
            int half = mant >> shift;
            int rest = mant & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rest > mid || rest == mid && (half & 1) == 1) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (exp << 10) | (mant >> 13);
        int rest = mant & 0x1fff;
        if (rest > 0x1000 || rest == 0x1000 && (half & 1) == 1) {
            half++;
        }
        return (short) (sign | half);
    }

    /** Independent reference of half to float, via the exponent formula. */
    static float halfToFloatReference(short h) {
        int v = h & 0xffff;
        int exp = (v >>> 10) & 0x1f;
        int mant = v & 0x3ff;
        double sign = (v & 0x8000) != 0 ? -1 : 1;
        if (exp == 0) {
            return (float) (sign * mant * Math.pow(2, -24));
        }
        if (exp == 31) {
            return mant == 0 ? (float) (sign * Double.POSITIVE_INFINITY) : Float.NaN;
        }
        return (float) (sign * (1 + mant / 1024.0) * Math.pow(2, exp - 15));
    }

    static void copyCheckpointFiles(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        for (String f : new String[] {"config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json"}) {
            if (Files.exists(from.resolve(f))) {
                Files.copy(from.resolve(f), to.resolve(f));
            }
        }
    }
}
