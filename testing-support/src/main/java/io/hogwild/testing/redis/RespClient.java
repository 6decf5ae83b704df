package io.hogwild.testing.redis;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;

/**
 * Just enough of the Redis protocol (RESP2) to check readiness and reset data between tests, so the harness needs
 * no Redis client library and cannot clash with the one the service under test uses.
 */
public final class RespClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RespClient(String host, int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 2_000);
        socket.setSoTimeout(10_000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /**
     * Sends one command and returns its reply: a String for simple/bulk strings, a Long for integers, a List for
     * arrays, null for a nil reply. An error reply throws {@link IllegalStateException}.
     */
    public Object command(String... args) throws IOException {
        StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            request.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
        }
        out.write(request.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        return readReply();
    }

    private Object readReply() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new IOException("connection closed by redis");
        }
        String line = readLine();
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new IllegalStateException("redis error: " + line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] bytes = in.readNBytes(length);
                readLine();
                return new String(bytes, StandardCharsets.UTF_8);
            }
            case '*': {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(readReply());
                }
                return items;
            }
            default:
                throw new IOException("unexpected RESP type byte " + (char) type);
        }
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\r') {
                in.read(); // '\n'
                break;
            }
            line.append((char) c);
        }
        return line.toString();
    }

    /** Waits until the server answers PING; fails early when the process it belongs to has exited. */
    static void awaitPong(String host, int port, Duration timeout, Process process) {
        Awaitility.await("redis on port " + port + " answering PING").atMost(timeout)
                .pollInterval(Duration.ofMillis(25))
                .failFast("redis-server exited before accepting connections on port " + port, () -> {
                    if (process != null && !process.isAlive()) {
                        throw new IllegalStateException("redis-server exited with code " + process.exitValue());
                    }
                })
                .ignoreExceptions()
                .until(() -> {
                    try (RespClient client = new RespClient(host, port)) {
                        return "PONG".equals(client.command("PING"));
                    }
                });
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
