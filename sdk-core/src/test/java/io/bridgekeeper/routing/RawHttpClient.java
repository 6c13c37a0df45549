package io.bridgekeeper.routing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Sends request targets byte for byte (the JDK's HttpClient would re-encode or refuse them) over
 * one keep-alive connection to 127.0.0.1, reconnecting when the server closes it.
 */
public final class RawHttpClient implements AutoCloseable {
  /** Status and body of one response. */
  public record Response(int status, String body) {}

  private static final java.util.regex.Pattern ABSOLUTE =
      java.util.regex.Pattern.compile("^(?i)https?://([^/?]*)");

  private final int port;
  private final boolean retry;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  /** A keep-alive client that, like a browser, resends a GET once when a reused connection was closed. */
  public RawHttpClient(int port) {
    this(port, true);
  }

  /** With {@code retry} false every failure is the caller's to see: for counting failed requests. */
  public RawHttpClient(int port, boolean retry) {
    this.port = port;
    this.retry = retry;
  }

  public Response get(String target) throws IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        ensureOpen();
        java.util.regex.Matcher abs = ABSOLUTE.matcher(target);
        String host = abs.find() && !abs.group(1).isEmpty() ? abs.group(1) : "localhost";
        // HAProxy answers 400 to an absolute-form target whose authority differs from Host.
        out.write(("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return read();
      } catch (IOException e) {
        closeQuietly();
        if (attempt == 1 || !retry) {
          throw e;
        }
      }
    }
  }

  private void ensureOpen() throws IOException {
    if (socket == null) {
      socket = new Socket();
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      socket.setSoTimeout(5000);
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    }
  }

  private Response read() throws IOException {
    String status = line();
    if (status == null) {
      throw new IOException("connection closed");
    }
    int code = Integer.parseInt(status.split(" ")[1]);
    int length = -1;
    boolean close = false;
    for (String h = line(); h != null && !h.isEmpty(); h = line()) {
      String lower = h.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Integer.parseInt(h.substring(15).trim());
      } else if (lower.startsWith("connection:") && lower.contains("close")) {
        close = true;
      }
    }
    byte[] body;
    if (length >= 0) {
      body = in.readNBytes(length);
    } else {
      body = in.readAllBytes();
      close = true;
    }
    if (close) {
      closeQuietly();
    }
    return new Response(code, new String(body, StandardCharsets.ISO_8859_1));
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); c != -1; c = in.read()) {
      if (c == '\n') {
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      b.write(c);
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
  }

  private void closeQuietly() {
    try {
      if (socket != null) {
        socket.close();
      }
    } catch (IOException ignored) {
      // already gone
    }
    socket = null;
  }

  @Override
  public void close() {
    closeQuietly();
  }
}
