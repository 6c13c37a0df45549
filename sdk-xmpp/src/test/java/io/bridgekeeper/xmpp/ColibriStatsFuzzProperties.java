package io.bridgekeeper.xmpp;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.bridgekeeper.bridges.BridgeStats;
import io.bridgekeeper.bridges.BridgeStatsException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jivesoftware.smack.util.PacketParserUtils;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.jivesoftware.smack.xml.XmlPullParserException;

/**
 * Reliability fuzzing of the stats extension of brewery presences: random stat names and values
 * (escaped markup, control characters as character references, huge values), nested and unknown
 * children, missing attributes, duplicates, thousands of stats, and mutated documents. The
 * provider never throws for well-formed XML (Smack would drop the stream); malformed XML is the XML
 * parser's typed {@link XmlPullParserException}; whatever the provider returns, {@link
 * BridgeStats#parse} turns into stats or a {@link BridgeStatsException} naming the stat.
 */
class ColibriStatsFuzzProperties {
  private static final String OPEN = "<stats xmlns='http://jitsi.org/protocol/colibri'>";

  @Provide
  Arbitrary<String> attributeText() {
    return Arbitraries.oneOf(
        Arbitraries.of("stress_level", "drain", "endpoints", "graceful_shutdown", "shutting_down", "version", "region",
            "0.3", "-1", "NaN", "1e999", "true", "TRUE", "", " ", "&lt;stat/&gt;", "&amp;", "&quot;'", "&#x9;",
            "&#xA;", "&#xD;", "&#x1F600;", "\u00e9", "\u2028", "x".repeat(2000)),
        Arbitraries.strings().withCharRange('a', 'z').withChars("0123456789._-").ofMaxLength(12));
  }

  @Provide
  Arbitrary<String> children() {
    Arbitrary<String> stat = Combinators.combine(attributeText(), attributeText())
        .as((n, v) -> "<stat name='" + n + "' value='" + v + "'/>");
    Arbitrary<String> odd = Arbitraries.of("<stat/>", "<stat name='a'/>", "<stat value='1'/>", "<other a='b'/>",
        "<stat name='drain' value='true'><stat name='drain' value='false'/></stat>", "text", "<![CDATA[<stat/>]]>",
        "<!-- <stat name='x' value='1'/> -->", "<stat xmlns='urn:other' name='drain' value='true'/>",
        "<stats><stat name='inner' value='1'/></stats>", "<stat name='a' value='1' extra='2'/>");
    return Arbitraries.oneOf(stat, stat, odd).list().ofMaxSize(25).map(l -> String.join("", l));
  }

  @Property(tries = 2000)
  void wellFormedStatsNeverThrow(@ForAll("children") String children) throws Exception {
    ColibriStatsElement e;
    try {
      e = parse(OPEN + children + "</stats>");
    } catch (XmlPullParserException malformed) {
      // Generated well-formed; only the XML parser may disagree on a character, typed.
      assertNotNull(malformed.getMessage());
      return;
    } catch (RuntimeException unexpected) {
      fail("the provider threw on " + children + ": " + unexpected, unexpected);
      return;
    }
    assertTrue(e.stats().size() <= ColibriStatsProvider.MAX_STATS);
    believe(e);
  }

  @Provide
  Arbitrary<String> mutatedDocuments() {
    Arbitrary<String> doc = children().map(c -> OPEN + c + "</stats>");
    Arbitrary<String> piece = Arbitraries.of("", "<", ">", "/", "'", "\"", "&", "&#0;", "&#xFFFE;", "\u0000", "<stat",
        "</stats>", "<stats>", "]]>", "<!DOCTYPE x [<!ENTITY a 'b'>]>", "&a;", "\ud800");
    return Combinators.combine(doc, Arbitraries.doubles().between(0, 1), piece, Arbitraries.integers().between(0, 8))
        .as((d, at, p, cut) -> {
          int i = (int) (at * d.length());
          return d.substring(0, i) + p + d.substring(Math.min(d.length(), i + cut));
        });
  }

  @Property(tries = 2000)
  void mutatedDocumentsGiveStatsOrATypedError(@ForAll("mutatedDocuments") String xml) {
    try {
      believe(parse(xml));
    } catch (XmlPullParserException | java.io.IOException | org.jivesoftware.smack.parsing.SmackParsingException typed) {
      assertNotNull(typed.getMessage());
    } catch (RuntimeException e) {
      fail("untyped " + e + " on " + io.bridgekeeper.routing.internal.Printable.of(xml, 300), e);
    }
  }

  @Example
  void regressionCases() throws Exception {
    StringBuilder many = new StringBuilder(OPEN);
    for (int i = 0; i < 5000; i++) {
      many.append("<stat name='s").append(i).append("' value='").append(i).append("'/>");
    }
    ColibriStatsElement big = parse(many.append("</stats>").toString());
    assertTrue(big.truncated());
    believe(big);
    // A control character reference is not XML 1.0: the parser's typed error, before the provider.
    org.junit.jupiter.api.Assertions.assertThrows(XmlPullParserException.class,
        () -> parse(OPEN + "<stat name='stress_level' value='&#x1;'/></stats>"));
    for (String xml : List.of(OPEN + "<stat name='stress_level' value='&#x9;0.5&#xA;'/></stats>",
        OPEN + "<stat name='drain' value='true'/><stat name='drain' value='false'/></stats>",
        OPEN + "<stat name='endpoints' value='" + "9".repeat(5000) + "'/></stats>")) {
      believe(parse(xml));
    }
  }

  private static ColibriStatsElement parse(String xml)
      throws XmlPullParserException, java.io.IOException, org.jivesoftware.smack.parsing.SmackParsingException {
    XmlPullParser parser = PacketParserUtils.getParserFor(xml);
    return new ColibriStatsProvider().parse(parser);
  }

  private static void believe(ColibriStatsElement e) {
    try {
      BridgeStats.parse(e.stats());
    } catch (BridgeStatsException refused) {
      assertTrue(refused.stat().equals("*") || e.stats().containsKey(refused.stat())
          || refused.stat().length() <= 41, refused.stat());
    }
  }
}
