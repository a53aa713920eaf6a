package org.contextvars4j.web.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Sends bytes no well-behaved client would send (CR/LF inside a header, raw non-ASCII, repeated
 * headers) over a plain socket to a loopback server, and reads the whole response.
 */
public final class RawHttp {

    private RawHttp() {
    }

    /**
     * Sends {@code GET path} with {@code headerLines} (each without its line end, which is
     * CRLF) and {@code Connection: close}.
     *
     * @return the response head and body, decoded as ISO-8859-1 (byte for byte)
     */
    public static String get(int port, String path, byte[]... headerLines) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] line : headerLines) {
            request.writeBytes(line);
            request.writeBytes(new byte[] {'\r', '\n'});
        }
        request.writeBytes("Connection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.toByteArray());
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** {@return the value of response header {@code name} (case-insensitive) in a raw response, or null} */
    public static String header(String response, String name) {
        for (String line : response.split("\r\n")) {
            if (line.isEmpty()) {
                return null;
            }
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }
}
