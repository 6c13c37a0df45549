package io.bridgekeeper.xmpp;

import io.bridgekeeper.bridges.BridgePool;
import io.bridgekeeper.bridges.BridgeStats;
import io.bridgekeeper.bridges.BridgeStatsException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.ConnectionListener;
import org.jivesoftware.smack.ReconnectionManager;
import org.jivesoftware.smack.XMPPConnection;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.muc.MucEnterConfiguration;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatException;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jivesoftware.smackx.muc.UserStatusListener;
import org.jivesoftware.smackx.muc.packet.MUCUser;
import org.jivesoftware.smackx.ping.PingManager;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.jxmpp.stringprep.XmppStringprepException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bridge source that watches one or more brewery MUCs (one per shard) over XMPP with Smack and
 * feeds a {@link BridgePool}: each occupant with a {@code <stats>} presence is a bridge (its id is
 * its MUC nickname), each unavailable presence a bridge leaving that brewery — unless the
 * connection drops within a short grace period, as it does when the server shuts down.
 *
 * <p>Like jicofo it ignores presences without stats. Stats the pool cannot believe (a NaN stress,
 * negative counts, too many or duplicate stats) keep the bridge alive with its previous stats and
 * cost one log line. When the connection drops it reconnects with backoff and re-joins every
 * brewery (the bridges' presences then arrive again); the pool keeps bridges it stops hearing
 * about until their presence timeout. A brewery that cannot be joined yet (it does not exist and
 * this account may not create it) is retried with backoff, and so is one this observer was kicked,
 * banned or removed from, or that was destroyed. The server is pinged when it has been silent for
 * a while: a path that drops everything without closing the socket counts as a lost connection.
 *
 * <p>Thread-safe. {@link #start()} returns at once; the work happens on one thread of its own.
 */
public final class BreweryListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BreweryListener.class);

  /** One brewery: its MUC address and the source name its bridges are reported under. */
  public record Brewery(String source, String mucJid) {
    public Brewery {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(mucJid, "mucJid");
    }
  }

  private final XMPPTCPConnectionConfiguration config;
  private final List<Brewery> breweries;
  private final Map<String, EntityBareJid> rooms = new LinkedHashMap<>();
  private final Resourcepart nickname;
  private final BridgePool pool;
  private final io.bridgekeeper.bridges.Backoff backoff;
  private final ScheduledExecutorService scheduler;
  private final Set<String> joined = ConcurrentHashMap.newKeySet();
  private final Map<String, PendingLeave> pendingLeaves = new ConcurrentHashMap<>();
  private final Duration leaveGrace;
  private final Duration pingInterval;
  private volatile XMPPTCPConnection connection;
  private volatile boolean closed;
  private int connectFailures;
  private volatile long generation;

  private BreweryListener(Builder b) {
    if (b.breweries.isEmpty()) {
      throw new IllegalArgumentException("at least one brewery is needed");
    }
    pool = Objects.requireNonNull(b.pool, "pool");
    breweries = List.copyOf(b.breweries);
    try {
      for (Brewery brewery : breweries) {
        rooms.put(brewery.mucJid(), JidCreate.entityBareFrom(brewery.mucJid()));
      }
      nickname = Resourcepart.from(b.nickname);
      XMPPTCPConnectionConfiguration.Builder c = XMPPTCPConnectionConfiguration.builder()
          .setXmppDomain(Objects.requireNonNull(b.xmppDomain, "xmppDomain"))
          .setHost(Objects.requireNonNullElse(b.host, b.xmppDomain))
          .setPort(b.port)
          .setUsernameAndPassword(Objects.requireNonNull(b.username, "username"), Objects.requireNonNull(b.password, "password"))
          .setResource(b.resource)
          .setSecurityMode(b.requireTls ? SecurityMode.required : SecurityMode.disabled);
      config = c.build();
    } catch (XmppStringprepException e) {
      throw new IllegalArgumentException("not a valid XMPP address: " + e.getMessage(), e);
    }
    leaveGrace = Objects.requireNonNull(b.leaveGrace, "leaveGrace");
    pingInterval = Objects.requireNonNull(b.pingInterval, "pingInterval");
    if (pingInterval.isNegative() || pingInterval.isZero()) {
      throw new IllegalArgumentException("ping interval must be positive, was " + pingInterval);
    }
    backoff = new io.bridgekeeper.bridges.Backoff(b.initialBackoff, b.maxBackoff);
    ColibriStatsProvider.register();
    scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bridgekeeper-brewery");
      t.setDaemon(true);
      return t;
    });
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Connects and joins in the background. */
  public void start() {
    scheduler.execute(this::connect);
  }

  /** The breweries currently joined (their MUC addresses). */
  public Set<String> joined() {
    return Set.copyOf(joined);
  }

  /** Whether the XMPP connection is up and logged in. */
  public boolean connected() {
    XMPPTCPConnection c = connection;
    return c != null && c.isAuthenticated();
  }

  private void connect() {
    if (closed) {
      return;
    }
    long gen = ++generation;
    XMPPTCPConnection c = new XMPPTCPConnection(config);
    // Reconnection is ours (new connection, re-join); Smack's own would not re-join the breweries.
    ReconnectionManager.getInstanceFor(c).disableAutomaticReconnection();
    c.setUseStreamManagement(false);
    c.addConnectionListener(new ConnectionListener() {
      @Override
      public void connectionClosedOnError(Exception e) {
        onScheduler(() -> lost(c, gen, "lost: " + e));
      }

      // A server that ends the stream cleanly (an admin closing the session, some shutdowns) is
      // reported here, not as an error; close() sets `closed` first, so our own disconnect is not.
      @Override
      public void connectionClosed() {
        onScheduler(() -> lost(c, gen, "closed by the server"));
      }
    });
    try {
      c.connect().login();
    } catch (Exception e) {
      LOG.warn("cannot connect to {} as {}: {}", config.getXMPPServiceDomain(), config.getUsername(), e.toString());
      c.disconnect();
      retryConnect();
      return;
    }
    connection = c;
    connectFailures = 0;
    LOG.info("connected to {} as {}", config.getXMPPServiceDomain(), c.getUser());
    for (Brewery brewery : breweries) {
      join(c, gen, brewery, 0);
    }
    schedulePing(c, gen);
  }

  private void onScheduler(Runnable task) {
    try {
      scheduler.execute(task);
    } catch (RejectedExecutionException closing) {
      // closed meanwhile
    }
  }

  /**
   * The socket of a path that silently drops everything stays open for many minutes, and Smack's
   * own PingManager waits at least two minutes for an answer: ping a silent server ourselves.
   */
  private void schedulePing(XMPPTCPConnection c, long gen) {
    if (closed || gen != generation || connection != c) {
      return;
    }
    long silentMillis = System.currentTimeMillis() - c.getLastStanzaReceived();
    long wait = c.getLastStanzaReceived() <= 0 ? pingInterval.toMillis()
        : Math.max(0, pingInterval.toMillis() - silentMillis);
    try {
      scheduler.schedule(() -> ping(c, gen), wait, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // closed meanwhile
    }
  }

  private void ping(XMPPTCPConnection c, long gen) {
    if (closed || gen != generation || connection != c) {
      return;
    }
    if (System.currentTimeMillis() - c.getLastStanzaReceived() < pingInterval.toMillis()) {
      schedulePing(c, gen); // heard from the server meanwhile (bridges' presences, every 5 s)
      return;
    }
    PingManager.getInstanceFor(c).pingAsync(c.getXMPPServiceDomain(), pingInterval.toMillis())
        .onSuccess(pong -> onScheduler(() -> schedulePing(c, gen)))
        .onError(e -> onScheduler(() -> {
          if (lost(c, gen, "unanswered ping (" + e.getClass().getSimpleName() + ")")) {
            // Not disconnect(): it would wait for the server's goodbye over the dead path.
            c.instantShutdown();
          }
        }));
  }

  /** Whether {@code c} was the live connection; only the first report about it reconnects. */
  private boolean lost(XMPPTCPConnection c, long gen, String why) {
    // Several reports may arrive for one connection (closed, ping failure), or for one that never
    // got up (connect() retries that itself).
    if (gen != generation || closed || connection != c) {
      return false;
    }
    LOG.warn("brewery connection {}; reconnecting", why);
    joined.clear();
    connection = null;
    retryConnect();
    return true;
  }

  private void retryConnect() {
    if (closed) {
      return;
    }
    Duration wait = backoff(connectFailures++);
    scheduler.schedule(this::connect, wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void join(XMPPTCPConnection c, long gen, Brewery brewery, int attempt) {
    if (closed || gen != generation || !c.isAuthenticated()) {
      return;
    }
    MultiUserChat muc = MultiUserChatManager.getInstanceFor(c).getMultiUserChat(rooms.get(brewery.mucJid()));
    if (attempt == 0) {
      // Before join(): the presences of the bridges already there arrive while joining.
      muc.addParticipantListener(p -> presence(brewery, p));
      // Out of the room we hear no bridge any more, and our own unavailable presence is dropped
      // with the other self-presences: be told, and go back in.
      muc.addUserStatusListener(new UserStatusListener() {
        @Override
        public void kicked(Jid actor, String reason) {
          removedFrom(c, gen, brewery, "kicked by " + actor + " (" + reason + ")");
        }

        @Override
        public void banned(Jid actor, String reason) {
          removedFrom(c, gen, brewery, "banned by " + actor + " (" + reason + ")");
        }

        @Override
        public void removed(MUCUser mucUser, Presence presence) {
          removedFrom(c, gen, brewery, "removed by the room");
        }

        @Override
        public void roomDestroyed(MultiUserChat alternate, String reason) {
          removedFrom(c, gen, brewery, "room destroyed (" + reason + ")");
        }
      });
    }
    try {
      MucEnterConfiguration enter = muc.getEnterConfigurationBuilder(nickname).requestNoHistory().build();
      muc.createOrJoin(enter);
      joined.add(brewery.mucJid());
      LOG.info("joined brewery {} ({})", brewery.mucJid(), brewery.source());
    } catch (MultiUserChatException.MucAlreadyJoinedException already) {
      joined.add(brewery.mucJid());
    } catch (Exception e) {
      Duration wait = backoff(attempt);
      LOG.warn("cannot join brewery {} yet ({}); retrying in {}", brewery.mucJid(), e.toString(), wait);
      scheduler.schedule(() -> join(c, gen, brewery, attempt + 1), wait.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void removedFrom(XMPPTCPConnection c, long gen, Brewery brewery, String why) {
    // On our thread, after the join that may still be recording itself; Smack reports one removal
    // more than once (kicked, then removed), so only the first re-joins.
    onScheduler(() -> {
      if (closed || gen != generation || !joined.remove(brewery.mucJid())) {
        return;
      }
      Duration wait = backoff(0);
      LOG.warn("out of brewery {}: {}; re-joining in {}", brewery.mucJid(), why, wait);
      scheduler.schedule(() -> join(c, gen, brewery, 1), wait.toMillis(), TimeUnit.MILLISECONDS);
    });
  }

  /** Package-private for tests that need presences Prosody would not send in that order. */
  void presence(Brewery brewery, Presence p) {
    if (closed) {
      return;
    }
    Resourcepart nick = p.getFrom() == null ? null : p.getFrom().getResourceOrNull();
    if (nick == null || nick.equals(nickname)) {
      return;
    }
    String bridge = nick.toString();
    String key = brewery.source() + "\u0000" + bridge;
    if (p.getType() == Presence.Type.unavailable) {
      // Prosody shutting down sends every occupant's unavailable presence just before it closes our
      // stream: wait a moment, and drop the leave if our connection went down meanwhile (the bridge
      // probably did not; the pool keeps it until its presence timeout).
      PendingLeave leave = new PendingLeave(key, brewery.source(), bridge, generation);
      PendingLeave previous = pendingLeaves.put(key, leave);
      if (previous != null) {
        previous.cancel();
      }
      try {
        leave.scheduled = scheduler.schedule(leave, leaveGrace.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closing) {
        // closed meanwhile
      }
      return;
    }
    PendingLeave pendingLeave = pendingLeaves.remove(key);
    if (pendingLeave != null) {
      pendingLeave.cancel();
    }
    if (p.getType() != Presence.Type.available) {
      return;
    }
    ExtensionElement ext = p.getExtension(ColibriStatsElement.ELEMENT, ColibriStatsElement.NAMESPACE);
    if (!(ext instanceof ColibriStatsElement stats)) {
      return; // jicofo ignores brewery presences without stats
    }
    Optional<BridgeStats> parsed;
    if (stats.truncated() || stats.duplicate() != null) {
      LOG.warn("bridge {} in {}: stats ignored: {}", bridge, brewery.source(), stats.truncated()
          ? "more than " + ColibriStatsProvider.MAX_STATS + " stats" : "stat '" + stats.duplicate() + "' given twice");
      parsed = Optional.empty();
    } else {
      try {
        parsed = Optional.of(BridgeStats.parse(stats.stats()));
      } catch (BridgeStatsException e) {
        LOG.warn("bridge {} in {}: stats ignored: {}", bridge, brewery.source(), e.getMessage());
        parsed = Optional.empty();
      }
    }
    try {
      pool.presence(brewery.source(), bridge, parsed);
    } catch (RuntimeException e) {
      LOG.warn("bridge {}: pool refused the presence: {}", bridge, e.toString());
    }
  }

  private Duration backoff(int attempt) {
    return backoff.after(attempt);
  }

  /**
   * A bridge's leave waiting out the grace period. It counts only while it is still the one in
   * {@link #pendingLeaves}: cancelling the future alone could miss a leave that is already running.
   */
  private final class PendingLeave implements Runnable {
    private final String key;
    private final String source;
    private final String bridge;
    private final long gen;
    private volatile Future<?> scheduled;

    PendingLeave(String key, String source, String bridge, long gen) {
      this.key = key;
      this.source = source;
      this.bridge = bridge;
      this.gen = gen;
    }

    @Override
    public void run() {
      if (pendingLeaves.remove(key, this) && gen == generation && connected()) {
        pool.left(source, bridge);
      }
    }

    void cancel() {
      Future<?> f = scheduled;
      if (f != null) {
        f.cancel(false);
      }
    }
  }

  /** Leaves every brewery, disconnects, stops the thread. */
  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
    XMPPConnection c = connection;
    if (c instanceof XMPPTCPConnection tcp) {
      tcp.disconnect();
    }
  }

  /** Connection and breweries; {@link #build()} checks them. */
  public static final class Builder {
    private String xmppDomain;
    private String host;
    private int port = 5222;
    private String username;
    private String password;
    private String resource = "bridgekeeper-" + UUID.randomUUID().toString().substring(0, 8);
    private String nickname = "bridgekeeper-" + UUID.randomUUID().toString().substring(0, 8);
    private boolean requireTls = true;
    private final List<Brewery> breweries = new ArrayList<>();
    private BridgePool pool;
    private Duration initialBackoff = Duration.ofSeconds(1);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Duration leaveGrace = Duration.ofSeconds(2);
    private Duration pingInterval = Duration.ofSeconds(15);

    private Builder() {}

    /**
     * How long the server may stay silent before it is pinged, and how long the ping may go
     * unanswered before the connection counts as lost and is replaced (15 s each). A dead network
     * path is then noticed within twice this.
     */
    public Builder pingInterval(Duration interval) {
      this.pingInterval = interval;
      return this;
    }

    /**
     * How long a bridge's unavailable presence waits before it counts (2 s): long enough to notice
     * that it came from the server shutting down, not from the bridge.
     */
    public Builder leaveGrace(Duration grace) {
      this.leaveGrace = grace;
      return this;
    }

    /** The XMPP domain of the account (Jitsi: {@code auth.<domain>}). */
    public Builder xmppDomain(String domain) {
      this.xmppDomain = domain;
      return this;
    }

    /** Where to connect, when not the domain's own DNS name. */
    public Builder host(String host, int port) {
      this.host = host;
      this.port = port;
      return this;
    }

    public Builder credentials(String username, String password) {
      this.username = username;
      this.password = password;
      return this;
    }

    /** The MUC nickname this observer joins with (ignored among the bridges). */
    public Builder nickname(String nickname) {
      this.nickname = nickname;
      return this;
    }

    public Builder resource(String resource) {
      this.resource = resource;
      return this;
    }

    /**
     * Allows a connection without TLS. Only for tests against a server on 127.0.0.1: credentials
     * and stats then travel in clear. TLS is required by default.
     */
    public Builder insecurePlaintextForLoopbackTests() {
      this.requireTls = false;
      return this;
    }

    /** A brewery to watch; its bridges are reported to the pool as coming from {@code source}. */
    public Builder brewery(String source, String mucJid) {
      breweries.add(new Brewery(source, mucJid));
      return this;
    }

    public Builder pool(BridgePool pool) {
      this.pool = pool;
      return this;
    }

    /** Reconnect and re-join waits: doubling from {@code initial} up to {@code max} (1 s, 30 s). */
    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    public BreweryListener build() {
      return new BreweryListener(this);
    }
  }
}
