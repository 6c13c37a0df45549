package io.bridgekeeper.xmpp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP relay on 127.0.0.1 in front of a server, whose existing connections can be made to drop
 * everything without closing anything, as a dead network path (a rebooted NAT, a pulled cable) does.
 * Connections made afterwards flow normally.
 */
final class BlackholeRelay implements AutoCloseable {
  private final ServerSocket server;
  private final int target;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<AtomicBoolean> dead = new CopyOnWriteArrayList<>();

  BlackholeRelay(int targetPort) throws IOException {
    target = targetPort;
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    daemon(this::accept);
  }

  int port() {
    return server.getLocalPort();
  }

  /** From now on the connections open so far forward nothing, in either direction. */
  void blackholeExisting() {
    dead.forEach(d -> d.set(true));
  }

  private void accept() {
    try {
      while (true) {
        Socket client = server.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
        sockets.add(client);
        sockets.add(upstream);
        AtomicBoolean isDead = new AtomicBoolean();
        dead.add(isDead);
        daemon(() -> pump(client, upstream, isDead));
        daemon(() -> pump(upstream, client, isDead));
      }
    } catch (IOException closed) {
      // close()
    }
  }

  private static void pump(Socket from, Socket to, AtomicBoolean isDead) {
    byte[] buf = new byte[8192];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buf)) >= 0) {
        if (!isDead.get()) {
          out.write(buf, 0, n);
          out.flush();
        }
      }
      if (!isDead.get()) {
        to.close(); // a dead path does not tell the other end either
      }
    } catch (IOException closed) {
      // either side went away
    }
  }

  private static void daemon(Runnable r) {
    Thread t = new Thread(r, "blackhole-relay");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
