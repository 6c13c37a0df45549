package io.bridgekeeper.xmpp;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.provider.ExtensionElementProvider;
import org.jivesoftware.smack.provider.ProviderManager;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.jivesoftware.smack.xml.XmlPullParserException;

/**
 * Parses {@link ColibriStatsElement}. Lenient by design: a bridge's odd stats must cost that
 * bridge's update, never the observer's connection (a provider that throws makes Smack drop or
 * even close the stream), so it never throws for content — it records what was odd and moves on.
 * Values are judged later by {@code BridgeStats.parse}. Stateless.
 */
public final class ColibriStatsProvider extends ExtensionElementProvider<ColibriStatsElement> {
  /** Stat children kept from one presence; a bridge publishes about 90. */
  public static final int MAX_STATS = io.bridgekeeper.bridges.BridgeStats.MAX_STATS;

  /** Registers the provider with Smack (idempotent). */
  public static void register() {
    ProviderManager.addExtensionProvider(ColibriStatsElement.ELEMENT, ColibriStatsElement.NAMESPACE,
        new ColibriStatsProvider());
  }

  @Override
  public ColibriStatsElement parse(XmlPullParser parser, int initialDepth, XmlEnvironment xmlEnvironment)
      throws XmlPullParserException, IOException {
    Map<String, String> stats = new LinkedHashMap<>();
    boolean truncated = false;
    String duplicate = null;
    while (true) {
      XmlPullParser.Event event = parser.next();
      if (event == XmlPullParser.Event.START_ELEMENT && "stat".equals(parser.getName())) {
        String name = parser.getAttributeValue("", "name");
        String value = parser.getAttributeValue("", "value");
        if (name != null && value != null) {
          if (stats.containsKey(name)) {
            duplicate = duplicate == null ? name : duplicate;
          } else if (stats.size() >= MAX_STATS) {
            truncated = true;
          } else {
            stats.put(name, value);
          }
        }
      } else if (event == XmlPullParser.Event.END_ELEMENT && parser.getDepth() == initialDepth) {
        return new ColibriStatsElement(stats, truncated, duplicate);
      } else if (event == XmlPullParser.Event.END_DOCUMENT) {
        throw new XmlPullParserException("stats element not closed");
      }
    }
  }
}
