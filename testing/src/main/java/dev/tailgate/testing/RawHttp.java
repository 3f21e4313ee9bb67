package dev.tailgate.testing;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Bytes on a raw socket, for framing tests that an HTTP client would refuse to send. 127.0.0.1 only. */
public final class RawHttp {
    private RawHttp() {}

    /**
     * Writes {@code bytes} on one keep-alive connection and reads until the server closes it; a connection the server
     * leaves open for 20 s fails the test (the answer so far in the message).
     */
    public static String exchange(int port, String bytes) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) all.write(buf, 0, n);
            } catch (SocketException reset) {
                // closed with a reset after the answer: what arrived counts
            } catch (SocketTimeoutException open) {
                throw new AssertionError("the connection was left open: " + all.toString(StandardCharsets.UTF_8));
            }
            return all.toString(StandardCharsets.UTF_8);
        }
    }
}
