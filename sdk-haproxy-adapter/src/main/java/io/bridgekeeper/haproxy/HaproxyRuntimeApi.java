package io.bridgekeeper.haproxy;

import io.bridgekeeper.haproxy.HaproxyRuntimeException.Kind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client of HAProxy's runtime API (the {@code stats socket}, {@code level admin}), over a Unix
 * socket or TCP, with the JDK's {@code SocketChannel} only.
 *
 * <p>Each call opens a connection, sends one command (non-interactive mode: HAProxy answers and
 * closes) and reads the answer before a deadline. Every argument is checked before anything is
 * sent: HAProxy's CLI ends a command at a newline and separates commands with {@code ;}, so an
 * argument holding either — or a space, which splits arguments — could smuggle a command in.
 *
 * <p>Maps are replaced atomically: {@code prepare map} makes a new empty version, one bulk
 * {@code add map @N} fills it, {@code commit map @N} swaps it in. Requests never see an empty or
 * half-filled map ({@code clear map} + {@code add map} would show them one). Thread-safe: calls
 * share no state.
 */
public final class HaproxyRuntimeApi {
  /** Default deadline per call. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  /** Payload bytes per bulk add: well under HAProxy's default 16 KiB buffer. */
  static final int MAX_PAYLOAD_BYTES = 12_000;

  private static final Pattern SAFE_ARGUMENT = Pattern.compile("[A-Za-z0-9_.:/@+=-]+");
  private static final Pattern NEW_VERSION = Pattern.compile("New version created: (\\d+)");

  private final SocketAddress address;
  private final Duration timeout;
  private final boolean halfClose;

  private HaproxyRuntimeApi(SocketAddress address, Duration timeout) {
    this(address, timeout, false);
  }

  private HaproxyRuntimeApi(SocketAddress address, Duration timeout, boolean halfClose) {
    this.address = address;
    this.halfClose = halfClose;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
  }

  /** A client of the Unix socket at {@code socket}. */
  public static HaproxyRuntimeApi unixSocket(Path socket, Duration timeout) {
    return new HaproxyRuntimeApi(UnixDomainSocketAddress.of(socket), timeout);
  }

  /**
   * A client of the master CLI ({@code haproxy -W -S path}): unlike a worker's socket it answers
   * only once the client half-closes its side, so every call does.
   */
  static HaproxyRuntimeApi masterSocket(Path socket, Duration timeout) {
    return new HaproxyRuntimeApi(UnixDomainSocketAddress.of(socket), timeout, true);
  }

  /** A client of a TCP runtime API ({@code stats socket ipv4@127.0.0.1:9999 level admin}). */
  public static HaproxyRuntimeApi tcp(InetSocketAddress address, Duration timeout) {
    return new HaproxyRuntimeApi(address, timeout);
  }

  /** Server states {@code set server} accepts. */
  public enum ServerState {
    READY, DRAIN, MAINT;

    String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The entries of a map file as HAProxy holds them now (key → value, in HAProxy's order). */
  public Map<String, String> showMap(String mapFile) {
    String answer = call("show map " + arg(mapFile), null);
    Map<String, String> entries = new LinkedHashMap<>();
    for (String line : answer.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      // "<entry id> <key> <value>"
      String[] parts = line.split(" ", 3);
      if (parts.length != 3 || !parts[0].startsWith("0x")) {
        throw new HaproxyRuntimeException(Kind.REJECTED, "show map " + mapFile + ": " + answer.trim());
      }
      entries.put(parts[1], parts[2]);
    }
    return entries;
  }

  /**
   * Replaces the whole content of a loaded map atomically (prepare, one bulk add, commit).
   *
   * @throws HaproxyRuntimeException with kind UNSAFE_ARGUMENT before anything is sent when a key
   *     or value could break the command
   */
  public void replaceMap(String mapFile, Map<String, String> entries) {
    String file = arg(mapFile);
    // HAProxy 2.6 reads a "<<" payload into one buffer (tune.bufsize, 16 KiB by default): the
    // entries go in as several bulk adds into the same prepared version, each under that size.
    java.util.List<String> chunks = new java.util.ArrayList<>();
    StringBuilder chunk = new StringBuilder();
    for (Map.Entry<String, String> e : entries.entrySet()) {
      String line = arg(e.getKey()) + ' ' + arg(e.getValue()) + '\n';
      if (line.length() > MAX_PAYLOAD_BYTES) {
        throw new HaproxyRuntimeException(Kind.UNSAFE_ARGUMENT, "map entry of " + line.length()
            + " bytes does not fit one runtime-API command (" + MAX_PAYLOAD_BYTES + "); nothing was sent");
      }
      if (chunk.length() + line.length() > MAX_PAYLOAD_BYTES) {
        chunks.add(chunk.toString());
        chunk.setLength(0);
      }
      chunk.append(line);
    }
    if (chunk.length() > 0) {
      chunks.add(chunk.toString());
    }
    String prepared = call("prepare map " + file, null);
    Matcher m = NEW_VERSION.matcher(prepared);
    if (!m.find()) {
      throw new HaproxyRuntimeException(Kind.REJECTED, "prepare map " + mapFile + ": " + prepared.trim());
    }
    String version = m.group(1);
    for (String payload : chunks) {
      expectEmpty("add map @" + version + " " + file,
          call("add map @" + version + " " + file + " <<", payload));
    }
    // Until this commit, requests keep using the current version: a failure above leaves it intact.
    expectEmpty("commit map @" + version + " " + file, call("commit map @" + version + " " + file, null));
  }

  /** {@code set server <backend>/<server> state ready|drain|maint}. */
  public void setServerState(String backend, String server, ServerState state) {
    String command = "set server " + arg(backend) + "/" + arg(server) + " state " + state.word();
    expectEmpty(command, call(command, null));
  }

  /** Sends one command and returns HAProxy's answer, for commands this class does not wrap. */
  public String execute(String command) {
    if (command.indexOf('\n') >= 0 || command.indexOf(';') >= 0 || command.indexOf('\r') >= 0) {
      throw new HaproxyRuntimeException(Kind.UNSAFE_ARGUMENT,
          "a runtime-API command may not contain a newline or ';' (it would become two commands)");
    }
    for (int i = 0; i < command.length(); i++) {
      char c = command.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        // A NUL ends the line early in HAProxy's parser, a tab splits words, and a non-ASCII
        // character would be sent as '?': HAProxy would run another command than the one asked.
        throw new HaproxyRuntimeException(Kind.UNSAFE_ARGUMENT, String.format(java.util.Locale.ROOT,
            "a runtime-API command may contain only printable ASCII; U+%04X at index %d; nothing was sent", (int) c, i));
      }
    }
    return call(command, null);
  }

  private static String arg(String value) {
    if (value == null || !SAFE_ARGUMENT.matcher(value).matches()) {
      throw new HaproxyRuntimeException(Kind.UNSAFE_ARGUMENT, "argument '" + printable(value)
          + "' is not a safe runtime-API token ([A-Za-z0-9_.:/@+=-]+); nothing was sent");
    }
    return value;
  }

  private static void expectEmpty(String command, String answer) {
    if (!answer.isBlank()) {
      throw new HaproxyRuntimeException(Kind.REJECTED, command + ": " + answer.trim());
    }
  }

  /** One connection: the command line (and a payload ending with an empty line), then the answer. */
  private String call(String command, String payload) {
    StringBuilder request = new StringBuilder(command).append('\n');
    if (payload != null) {
      request.append(payload).append('\n');
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    try (SocketChannel channel = address instanceof UnixDomainSocketAddress
            ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        Selector selector = Selector.open()) {
      channel.configureBlocking(false);
      if (!channel.connect(address)) {
        channel.register(selector, SelectionKey.OP_CONNECT);
        while (!channel.finishConnect()) {
          await(selector, deadline, command);
        }
      }
      ByteBuffer out = ByteBuffer.wrap(request.toString().getBytes(StandardCharsets.US_ASCII));
      channel.register(selector, SelectionKey.OP_WRITE);
      while (out.hasRemaining()) {
        if (channel.write(out) == 0) {
          await(selector, deadline, command);
        }
      }
      if (halfClose) {
        channel.shutdownOutput();
      }
      channel.register(selector, SelectionKey.OP_READ);
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      ByteBuffer in = ByteBuffer.allocate(16 * 1024);
      while (true) {
        int read = channel.read(in);
        if (read < 0) {
          String text = answer.toString(StandardCharsets.UTF_8);
          // A worker's CLI ends every answer with an empty line ("\n" alone for a silent success).
          // Anything else is a connection that ended early: an empty answer is not a success, and
          // a cut "show map" is not the whole map.
          if (!halfClose && !text.equals("\n") && !text.endsWith("\n\n")) {
            throw new HaproxyRuntimeException(Kind.PROTOCOL, "the connection to " + address
                + " ended before the answer to '" + command + "' was complete (" + answer.size() + " bytes)");
          }
          return text;
        }
        if (read == 0) {
          await(selector, deadline, command);
          continue;
        }
        answer.write(in.array(), 0, in.position());
        in.clear();
      }
    } catch (HaproxyRuntimeException e) {
      throw e;
    } catch (IOException e) {
      throw new HaproxyRuntimeException(Kind.CONNECT, where() + ": " + e.getMessage(), e);
    }
  }

  private void await(Selector selector, long deadline, String command) throws IOException {
    long left = deadline - System.nanoTime();
    if (left <= 0 || selector.select(Math.max(1, left / 1_000_000)) == 0 && System.nanoTime() >= deadline) {
      throw new HaproxyRuntimeException(Kind.TIMEOUT,
          "no complete answer from the " + where() + " within " + timeout + " to '" + command + "'");
    }
    selector.selectedKeys().clear();
  }

  private String where() {
    return (halfClose ? "master CLI at " : "runtime API at ") + address;
  }

  private static String printable(String s) {
    return io.bridgekeeper.routing.internal.Printable.of(s, 60);
  }
}
