package io.bridgekeeper.xmpp;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.ReconnectionManager;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.PresenceBuilder;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/** A videobridge as the brewery sees it: test code speaking Smack, publishing {@code <stats>} presences. */
final class FakeXmppBridge implements AutoCloseable {
  private final XMPPTCPConnection connection;
  private String nickname;
  private MultiUserChat muc;
  private EntityBareJid room;

  FakeXmppBridge(int port, String nickname) throws Exception {
    this.nickname = nickname;
    connection = new XMPPTCPConnection(XMPPTCPConnectionConfiguration.builder()
        .setXmppDomain(ProsodyProcess.DOMAIN).setHost("127.0.0.1").setPort(port)
        .setUsernameAndPassword("jvb", "jvbpass").setResource(nickname)
        .setSecurityMode(SecurityMode.disabled).build());
    ReconnectionManager.getInstanceFor(connection).disableAutomaticReconnection();
    connection.setUseStreamManagement(false);
    connection.connect().login();
  }

  /** Joins {@code roomJid} with {@code stats} already in the join presence. */
  FakeXmppBridge join(String roomJid, Map<String, String> stats) throws Exception {
    room = JidCreate.entityBareFrom(roomJid);
    muc = MultiUserChatManager.getInstanceFor(connection).getMultiUserChat(room);
    Presence presence = connection.getStanzaFactory().buildPresenceStanza()
        .addExtension(ColibriStatsElement.of(stats)).build();
    muc.createOrJoin(muc.getEnterConfigurationBuilder(Resourcepart.from(nickname)).withPresence(presence)
        .requestNoHistory().build());
    return this;
  }

  /** Joins {@code roomJid} under another nickname (the same bridge on a second connection). */
  FakeXmppBridge joinAs(String roomJid, String nick, Map<String, String> stats) throws Exception {
    this.nickname = nick;
    return join(roomJid, stats);
  }

  /** Publishes new stats: the last presence again, without the MUC element (that would be a re-join). */
  void publish(Map<String, String> stats) throws Exception {
    PresenceBuilder b = connection.getStanzaFactory().buildPresenceStanza()
        .to(JidCreate.fullFrom(room, Resourcepart.from(nickname))).addExtension(ColibriStatsElement.of(stats));
    connection.sendStanza(b.build());
  }

  /** Publishes a presence with this extension, or none (for hostile or stats-less presences). */
  void publishRaw(org.jivesoftware.smack.packet.ExtensionElement extension) throws Exception {
    PresenceBuilder b = connection.getStanzaFactory().buildPresenceStanza()
        .to(JidCreate.fullFrom(room, Resourcepart.from(nickname)));
    if (extension != null) {
      b.addExtension(extension);
    }
    connection.sendStanza(b.build());
  }

  void leave() throws Exception {
    muc.leave();
  }

  /** Dies without a word: no unavailable presence, no closing stream. */
  void kill() {
    connection.instantShutdown();
  }

  @Override
  public void close() {
    if (connection.isConnected()) {
      connection.disconnect();
    }
  }

  static Map<String, String> stats(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }
}
