package io.bridgekeeper.xmpp;

import java.util.Map;

/** Joins a second brewery as an existing bridge would (a bridge configured for several shards). */
final class MultiBrewery {
  private MultiBrewery() {}

  static void joinAs(FakeXmppBridge connection, String room, String nickname, Map<String, String> stats)
      throws Exception {
    connection.joinAs(room, nickname, stats);
  }
}
