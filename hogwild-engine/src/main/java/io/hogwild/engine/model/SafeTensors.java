package io.hogwild.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads tensors from one or several {@code .safetensors} files by memory-mapping them.
 *
 * <p>The format is an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte
 * range, then the raw data. Float32 tensors on CPU wrap the mapped pages directly (no copy at all); bf16 and f16
 * are widened to float32 on CPU, because DJL cannot hold bf16 arrays there, and kept as stored on a GPU.
 */
public final class SafeTensors implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER_BYTES = 100L << 20;

    /** Where one tensor lives: its file, dtype, shape and absolute byte range. */
    public record Entry(Path file, String dtype, long[] shape, long start, long end) {}

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<Path, FileChannel> channels = new LinkedHashMap<>();

    private SafeTensors() {}

    /** Opens {@code model.safetensors}, or the shards listed in {@code model.safetensors.index.json}. */
    public static SafeTensors open(Path modelDir) {
        SafeTensors st = new SafeTensors();
        try {
            Path single = modelDir.resolve("model.safetensors");
            Path index = modelDir.resolve("model.safetensors.index.json");
            if (Files.isRegularFile(single)) {
                st.addFile(single);
            } else if (Files.isRegularFile(index)) {
                JsonNode weightMap = readJson(index).path("weight_map");
                if (!weightMap.isObject()) {
                    throw new CheckpointException(index + ": missing object 'weight_map'");
                }
                Set<String> shards = new java.util.LinkedHashSet<>();
                weightMap.properties().forEach(e -> shards.add(e.getValue().asString()));
                for (String shard : shards) {
                    Path file = modelDir.resolve(shard);
                    if (!Files.isRegularFile(file)) {
                        throw new CheckpointException("missing file: " + file + " (listed in " + index + ")");
                    }
                    st.addFile(file);
                }
            } else {
                throw new CheckpointException("missing file: " + single + " (nor a sharded model.safetensors.index.json)");
            }
            return st;
        } catch (RuntimeException e) {
            st.close();
            throw e;
        }
    }

    private void addFile(Path file) {
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
            channels.put(file, ch);
            long size = ch.size();
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            if (size < 8 || ch.read(lenBuf, 0) != 8) {
                throw new CheckpointException(file + ": too short to be a safetensors file");
            }
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || 8 + headerLen > size) {
                throw new CheckpointException(file + ": corrupt safetensors header length " + headerLen);
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            ch.read(header, 8);
            JsonNode json = JSON.readTree(header.array());
            long dataStart = 8 + headerLen;
            for (Map.Entry<String, JsonNode> e : json.properties()) {
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode meta = e.getValue();
                JsonNode shapeNode = meta.path("shape");
                long[] shape = new long[shapeNode.size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shapeNode.get(i).asLong();
                }
                long a = dataStart + meta.path("data_offsets").path(0).asLong();
                long b = dataStart + meta.path("data_offsets").path(1).asLong();
                String dtype = meta.path("dtype").asString();
                long expected = product(shape) * bytesPer(dtype, file, e.getKey());
                if (b - a != expected || b > size) {
                    throw new CheckpointException(file + ": tensor '" + e.getKey() + "' byte range does not match its shape");
                }
                entries.put(e.getKey(), new Entry(file, dtype, shape, a, b));
            }
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    public Entry entry(String name) {
        return entries.get(name);
    }

    public Set<String> names() {
        return entries.keySet();
    }

    /**
     * Loads a tensor into {@code manager}, checking its shape. On CPU the result is float32; on a GPU it keeps the
     * stored floating-point dtype.
     */
    public NDArray load(NDManager manager, String name, long... expectedShape) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new CheckpointException("missing tensor '" + name + "' in " + describeFiles());
        }
        if (!java.util.Arrays.equals(e.shape(), expectedShape)) {
            throw new CheckpointException(e.file() + ": tensor '" + name + "' has shape "
                    + java.util.Arrays.toString(e.shape()) + ", expected " + java.util.Arrays.toString(expectedShape));
        }
        Shape shape = new Shape(e.shape());
        MappedByteBuffer mapped = map(e);
        boolean gpu = manager.getDevice().isGpu();
        switch (e.dtype()) {
            case "F32":
                return manager.create(mapped, shape, DataType.FLOAT32);
            case "BF16":
                return gpu ? manager.create(mapped, shape, DataType.BFLOAT16)
                        : manager.create(widen(mapped, true), shape, DataType.FLOAT32);
            case "F16":
                return gpu ? manager.create(mapped, shape, DataType.FLOAT16)
                        : manager.create(widen(mapped, false), shape, DataType.FLOAT32);
            default:
                throw new CheckpointException(e.file() + ": tensor '" + name + "' has unsupported dtype "
                        + e.dtype() + " (supported: F32, F16, BF16)");
        }
    }

    private MappedByteBuffer map(Entry e) {
        try {
            MappedByteBuffer buf = channels.get(e.file()).map(FileChannel.MapMode.READ_ONLY, e.start(), e.end() - e.start());
            buf.order(ByteOrder.LITTLE_ENDIAN);
            return buf;
        } catch (IOException ex) {
            throw new CheckpointException(e.file() + ": cannot map tensor bytes (" + ex.getMessage() + ")", ex);
        }
    }

    /** Widens 16-bit floats to float32 in a direct buffer (bf16: the top half of a float32; f16: IEEE half). */
    private static ByteBuffer widen(ByteBuffer src, boolean bf16) {
        int n = src.remaining() / 2;
        ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            short h = src.getShort(i * 2);
            out.putFloat(i * 4, bf16 ? Float.intBitsToFloat((h & 0xffff) << 16) : halfToFloat(h));
        }
        return out;
    }

    static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            // Subnormal half: value = mant * 2^-24.
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private static long bytesPer(String dtype, Path file, String name) {
        switch (dtype) {
            case "F32":
            case "I32":
            case "U32":
                return 4;
            case "F16":
            case "BF16":
            case "I16":
                return 2;
            case "F64":
            case "I64":
                return 8;
            case "I8":
            case "U8":
            case "BOOL":
            case "F8_E4M3":
            case "F8_E5M2":
                return 1;
            default:
                throw new CheckpointException(file + ": tensor '" + name + "' has unknown dtype " + dtype);
        }
    }

    private static long product(long[] shape) {
        long p = 1;
        for (long d : shape) {
            p *= d;
        }
        return p;
    }

    private String describeFiles() {
        return channels.keySet().size() == 1 ? channels.keySet().iterator().next().toString()
                : channels.size() + " safetensors shards";
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (JacksonException e) {
            throw new CheckpointException(file + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
    }

    @Override
    public void close() {
        // Mapped tensors stay valid after their channel closes; closing only releases the file handles.
        for (FileChannel ch : channels.values()) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing left to do for a read-only handle
            }
        }
    }
}
