package io.bridgekeeper.xmpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.jivesoftware.smack.util.PacketParserUtils;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.junit.jupiter.api.Test;

class ColibriStatsProviderTest {
  static ColibriStatsElement parse(String xml) throws Exception {
    XmlPullParser parser = PacketParserUtils.getParserFor(xml);
    return new ColibriStatsProvider().parse(parser);
  }

  @Test
  void readsTheDocumentedForm() throws Exception {
    ColibriStatsElement e = parse("<stats xmlns='http://jitsi.org/protocol/colibri'>"
        + "<stat name='stress_level' value='0.25'/><stat value='false' name='drain'/>"
        + "<other/><stat name='incomplete'/></stats>");
    assertEquals(Map.of("stress_level", "0.25", "drain", "false"), e.stats());
    assertFalse(e.truncated());
    assertNull(e.duplicate());
  }

  @Test
  void roundTripsWhatItPublishes() throws Exception {
    ColibriStatsElement out = ColibriStatsElement.of(Map.of("region", "eu <&> 'x'", "stress_level", "0.1"));
    assertEquals(out.stats(), parse(out.toXML().toString()).stats());
  }

  @Test
  void recordsDuplicatesAndOversizeInsteadOfThrowing() throws Exception {
    ColibriStatsElement dup = parse("<stats xmlns='http://jitsi.org/protocol/colibri'>"
        + "<stat name='stress_level' value='0.1'/><stat name='stress_level' value='0.9'/></stats>");
    assertEquals("stress_level", dup.duplicate());
    assertEquals("0.1", dup.stats().get("stress_level"), "the first one counts");
    StringBuilder xml = new StringBuilder("<stats xmlns='http://jitsi.org/protocol/colibri'>");
    for (int i = 0; i < ColibriStatsProvider.MAX_STATS + 10; i++) {
      xml.append("<stat name='s").append(i).append("' value='1'/>");
    }
    ColibriStatsElement big = parse(xml.append("</stats>").toString());
    assertTrue(big.truncated());
    assertEquals(ColibriStatsProvider.MAX_STATS, big.stats().size());
  }
}
