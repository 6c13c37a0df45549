package io.bridgekeeper.benchmarks;

import java.util.SplittableRandom;

/** The request targets every routing benchmark uses, so their figures compare. */
final class BenchmarkRooms {
  private static final String[] FORMS = {"/http-bind?room=%s", "/xmpp-websocket?room=%s",
      "/acme/xmpp-websocket?room=%s&token=t", "/conference-request/v1?room=%s", "/%s", "/acme/%s"};

  private BenchmarkRooms() {}

  /**
   * {@code count} targets over six URL forms with typical Jitsi room names (words, mixed case,
   * an encoded space or accent), from a fixed seed.
   */
  static String[] targets(int count) {
    SplittableRandom rnd = new SplittableRandom(42);
    String[] targets = new String[count];
    for (int r = 0; r < count; r++) {
      String name = "Team" + rnd.nextInt(100_000) + (rnd.nextBoolean() ? "%20Standup" : "Caf%C3%A9Sync");
      targets[r] = String.format(FORMS[r % FORMS.length], name);
    }
    return targets;
  }
}
