package io.bridgekeeper.xmpp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many fake bridges on one thread: plain XMPP over non-blocking sockets (SASL PLAIN, bind, MUC
 * join, stats presences), for ingest measurements where Smack's two threads per connection would
 * measure Smack. Everything received after the handshake is read and dropped. Test code for a
 * loopback Prosody only: credentials go in clear.
 */
final class RawXmppBridges implements AutoCloseable {
  private enum Phase { FEATURES, AUTH, FEATURES2, BIND, READY }

  private final class Conn {
    final int index;
    final SocketChannel channel;
    Phase phase = Phase.FEATURES;
    final StringBuilder in = new StringBuilder();
    final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();

    Conn(int index, SocketChannel channel) {
      this.index = index;
      this.channel = channel;
    }
  }

  private final int port;
  private final List<String> rooms;
  private final Selector selector;
  private final List<Conn> conns = new ArrayList<>();
  private final ConcurrentLinkedQueue<Integer> publishQueue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger ready = new AtomicInteger();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicInteger lost = new AtomicInteger();
  private volatile String lastLoss;
  private final Thread loop;
  private final int count;
  /** Handshakes in progress at most: a burst of connects overflows the server's listen backlog. */
  private static final int MAX_CONNECTING = 32;
  private volatile boolean running = true;
  private volatile IOException failure;

  RawXmppBridges(int port, String room, int count) throws IOException {
    this(port, List.of(room), count);
  }

  /** Bridge i joins {@code rooms[i % rooms.size()]}. */
  RawXmppBridges(int port, List<String> rooms, int count) throws IOException {
    this.port = port;
    this.rooms = List.copyOf(rooms);
    this.selector = Selector.open();
    this.count = count;
    loop = new Thread(this::run, "raw-xmpp-bridges");
    loop.setDaemon(true);
    loop.start();
  }

  int ready() {
    return ready.get();
  }

  long sent() {
    return sent.get();
  }

  IOException failure() {
    return failure;
  }

  /** Connections that broke, and the last reason. */
  int lost() {
    return lost.get();
  }

  String lastLoss() {
    return lastLoss;
  }

  /** Bridge {@code i} publishes a stats presence stamped with the send time. */
  void publish(int i) {
    publishQueue.add(i);
    selector.wakeup();
  }

  private void run() {
    try {
      while (running) {
        while (conns.size() < count && conns.size() - ready.get() - lost.get() < MAX_CONNECTING) {
          SocketChannel ch = SocketChannel.open();
          ch.configureBlocking(false);
          ch.connect(new InetSocketAddress("127.0.0.1", port));
          Conn c = new Conn(conns.size(), ch);
          conns.add(c);
          ch.register(selector, SelectionKey.OP_CONNECT, c);
        }
        selector.select(20);
        for (SelectionKey key : selector.selectedKeys()) {
          Conn c = (Conn) key.attachment();
          if (!key.isValid()) {
            continue;
          }
          try {
            if (key.isConnectable() && c.channel.finishConnect()) {
              key.interestOps(SelectionKey.OP_READ);
              send(c, "<?xml version='1.0'?><stream:stream to='" + ProsodyProcess.DOMAIN
                  + "' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>");
            }
            if (key.isValid() && key.isReadable()) {
              read(c, key);
            }
            if (key.isValid() && key.isWritable()) {
              flush(c, key);
            }
          } catch (IOException e) {
            // One connection lost: counted, the others go on.
            lost.incrementAndGet();
            lastLoss = e.toString() + " (bridge " + c.index + ", " + c.phase + ")";
            key.cancel();
            c.channel.close();
          }
        }
        selector.selectedKeys().clear();
        for (Integer i = publishQueue.poll(); i != null; i = publishQueue.poll()) {
          Conn c = i < conns.size() ? conns.get(i) : null;
          if (c != null && c.phase == Phase.READY && c.channel.isOpen()) {
            try {
              send(c, presence(c.index, false));
              sent.incrementAndGet();
            } catch (IOException e) {
              lost.incrementAndGet();
              lastLoss = e.toString();
              c.channel.close();
            }
          }
        }
      }
    } catch (IOException e) {
      failure = e;
    }
  }

  private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);

  private void read(Conn c, SelectionKey key) throws IOException {
    readBuffer.clear();
    int n = c.channel.read(readBuffer);
    if (n < 0) {
      key.cancel();
      c.channel.close();
      return;
    }
    if (c.phase == Phase.READY) {
      return; // others' presences: read and dropped
    }
    c.in.append(new String(readBuffer.array(), 0, n, StandardCharsets.UTF_8));
    String s = c.in.toString();
    switch (c.phase) {
      case FEATURES -> {
        if (s.contains("</stream:features>")) {
          c.in.setLength(0);
          c.phase = Phase.AUTH;
          String creds = Base64.getEncoder().encodeToString("\0jvb\0jvbpass".getBytes(StandardCharsets.UTF_8));
          send(c, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>" + creds + "</auth>");
        }
      }
      case AUTH -> {
        if (s.contains("<success")) {
          c.in.setLength(0);
          c.phase = Phase.FEATURES2;
          send(c, "<stream:stream to='" + ProsodyProcess.DOMAIN
              + "' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>");
        } else if (s.contains("<failure")) {
          throw new IOException("SASL failed: " + s);
        }
      }
      case FEATURES2 -> {
        if (s.contains("</stream:features>")) {
          c.in.setLength(0);
          c.phase = Phase.BIND;
          send(c, "<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>ingest-"
              + c.index + "</resource></bind></iq>");
        }
      }
      case BIND -> {
        if (s.contains("</iq>") || s.contains("/>") && s.contains("id='bind'")) {
          c.in.setLength(0);
          c.phase = Phase.READY;
          send(c, presence(c.index, true));
          ready.incrementAndGet();
        }
      }
      default -> { }
    }
  }

  private String presence(int i, boolean join) {
    return "<presence to='" + rooms.get(i % rooms.size()) + "/ingest-" + i + "'>" + (join ? "<x xmlns='http://jabber.org/protocol/muc'/>" : "")
        + "<stats xmlns='" + ColibriStatsElement.NAMESPACE + "'>"
        + "<stat name='stress_level' value='0.1'/><stat name='drain' value='false'/>"
        + "<stat name='region' value='eu'/><stat name='version' value='2.3'/>"
        + "<stat name='sent_nanos' value='" + System.nanoTime() + "'/></stats></presence>";
  }

  private void send(Conn c, String xml) throws IOException {
    c.out.add(ByteBuffer.wrap(xml.getBytes(StandardCharsets.UTF_8)));
    SelectionKey key = c.channel.keyFor(selector);
    flush(c, key);
  }

  private void flush(Conn c, SelectionKey key) throws IOException {
    while (!c.out.isEmpty()) {
      ByteBuffer b = c.out.peek();
      c.channel.write(b);
      if (b.hasRemaining()) {
        key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
        return;
      }
      c.out.poll();
    }
    if (key.isValid()) {
      key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
    }
  }

  @Override
  public void close() throws IOException {
    running = false;
    selector.wakeup();
    try {
      loop.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Conn c : conns) {
      c.channel.close();
    }
    selector.close();
  }
}
