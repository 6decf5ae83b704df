package io.hogwild.testing.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One HTTP/1.1 connection kept alive over a plain socket, for tests of how a server treats a client that reuses its
 * connection: each request goes out as soon as the previous answer has been read in full, as promptly as a pooled
 * client sends its next request. A request that gets no answer fails with an {@link AssertionError} naming it
 * (after {@code answerTimeout}) instead of hanging the test.
 */
public final class KeepAliveConnection implements AutoCloseable {

    /** A response: status, headers (names in lower case) and body as text. */
    public record Response(int status, Map<String, String> headers, String body) {}

    /** What a test does on one connection. */
    @FunctionalInterface
    public interface Script {
        void run(KeepAliveConnection connection) throws Exception;
    }

    /**
     * Runs {@code script} on {@code connections} connections to {@code port} at once (more chances for a server to
     * get the timing of a reused connection wrong) and rethrows the first failure.
     */
    public static void onConnections(int port, int connections, Duration answerTimeout, Script script)
            throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(connections);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                running.add(clients.submit(() -> {
                    try (KeepAliveConnection connection = new KeepAliveConnection(port, answerTimeout)) {
                        script.run(connection);
                    }
                    return null;
                }));
            }
            // Each read is bounded by answerTimeout, so every script ends.
            for (Future<?> connection : running) {
                try {
                    connection.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Exception cause) {
                        throw cause;
                    }
                    throw (Error) e.getCause();
                }
            }
        } finally {
            clients.shutdownNow();
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Duration answerTimeout;
    private int sent;

    public KeepAliveConnection(int port, Duration answerTimeout) throws IOException {
        this.answerTimeout = answerTimeout;
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) answerTimeout.toMillis());
        socket.setSoTimeout((int) answerTimeout.toMillis());
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Sends one request ({@code body} may be null) and reads its whole response. */
    public Response send(String method, String path, Map<String, String> headers, String body) throws IOException {
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder request = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(socket.getPort()).append("\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        if (body != null || !method.equals("GET")) {
            request.append("Content-Length: ").append(content.length).append("\r\n");
        }
        request.append("\r\n");
        out.write(request.toString().getBytes(StandardCharsets.UTF_8));
        out.write(content);
        out.flush();
        sent++;
        try {
            return readResponse();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("request " + sent + " on this keep-alive connection (" + method + " " + path
                    + ") got no answer within " + answerTimeout, e);
        }
    }

    private Response readResponse() throws IOException {
        String statusLine = readLine();
        int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int size = chunkSize(); size > 0; size = chunkSize()) {
                body.write(readExactly(size));
                readLine();
            }
            while (!readLine().isEmpty()) {
                // trailers, if any
            }
        } else if (headers.containsKey("content-length")) {
            body.write(readExactly(Integer.parseInt(headers.get("content-length"))));
        }
        if ("close".equalsIgnoreCase(headers.get("connection"))) {
            throw new AssertionError("the server closed the keep-alive connection after request " + sent);
        }
        return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
    }

    private int chunkSize() throws IOException {
        String line = readLine();
        int extension = line.indexOf(';');
        return Integer.parseInt((extension < 0 ? line : line.substring(0, extension)).trim(), 16);
    }

    private byte[] readExactly(int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length) {
            throw new IOException("connection closed in the middle of a response body");
        }
        return bytes;
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed by the server after request " + sent);
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
