package dev.tailgate.local.engine.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Json;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** JSON lines over a socket: writes are serialised and flushed one message at a time; reads are one thread's job. */
final class LineChannel implements Closeable {
    private final Socket socket;
    private final BufferedReader in;
    private final Writer out;

    LineChannel(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        this.out = new BufferedWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8));
    }

    Socket socket() {
        return socket;
    }

    /** The next message, or null at end of stream. */
    JsonNode read() throws IOException {
        while (true) {
            String line = in.readLine();
            if (line == null) return null;
            if (!line.isBlank()) return Json.parse(line);
        }
    }

    synchronized void send(JsonNode message) throws IOException {
        // Json.string escapes line breaks inside strings, so one message is always one line.
        out.write(Json.string(message));
        out.write('\n');
        out.flush();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
