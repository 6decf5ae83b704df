package io.hogwild.engine.model;

import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Writes a safetensors file, the format {@link SafeTensors} reads: an 8-byte little-endian header length, a JSON
 * header (each tensor's dtype, shape and byte range, then {@code __metadata__}), padded with spaces so the data
 * starts 8-byte aligned, then the tensors' raw bytes in header order. Used to write trained checkpoints and test
 * fixtures.
 */
public final class SafeTensorsWriter {

    /** One tensor: safetensors dtype name (e.g. {@code F32}), shape, and its little-endian bytes. */
    public record Tensor(String dtype, long[] shape, byte[] data) {

        /** A float32 tensor from row-major values. */
        public static Tensor f32(long[] shape, float[] values) {
            ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(values);
            return new Tensor("F32", shape, buf.array());
        }
    }

    private SafeTensorsWriter() {
    }

    /** Writes {@code tensors}, in map order. */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        long offset = 0;
        for (var e : tensors.entrySet()) {
            ObjectNode meta = header.putObject(e.getKey());
            meta.put("dtype", e.getValue().dtype());
            var shape = meta.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            var offsets = meta.putArray("data_offsets");
            offsets.add(offset);
            offset += e.getValue().data().length;
            offsets.add(offset);
        }
        header.putObject("__metadata__").put("format", "pt");
        byte[] headerJson = json.writeValueAsBytes(header);
        int padded = (headerJson.length + 7) / 8 * 8;
        byte[] headerBytes = new byte[padded];
        Arrays.fill(headerBytes, (byte) ' ');
        System.arraycopy(headerJson, 0, headerBytes, 0, headerJson.length);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(headerBytes);
            for (Tensor t : tensors.values()) {
                out.write(t.data());
            }
        }
    }
}
