package io.bridgekeeper.xmpp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.namespace.QName;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.util.XmlStringBuilder;

/**
 * A videobridge's {@code <stats xmlns='http://jitsi.org/protocol/colibri'>} presence extension, with
 * {@code <stat name='…' value='…'/>} children ({@code jitsi/jitsi-xmpp-extensions:
 * .../colibri/ColibriStatsExtension.java}; {@code jitsi/jitsi-videobridge:doc/statistics.md}).
 *
 * <p>Parsed leniently (see {@link ColibriStatsProvider}): it keeps what arrived and says what was
 * odd — more stats than accepted, a name given twice — so that a bad presence is judged by the
 * listener for that bridge alone, never by the connection. Immutable.
 */
public final class ColibriStatsElement implements ExtensionElement {
  public static final String ELEMENT = "stats";
  public static final String NAMESPACE = "http://jitsi.org/protocol/colibri";
  public static final QName QNAME = new QName(NAMESPACE, ELEMENT);

  private final Map<String, String> stats;
  private final boolean truncated;
  private final String duplicate;

  /** Stats to publish or that were received; {@code truncated} and {@code duplicate} describe problems. */
  ColibriStatsElement(Map<String, String> stats, boolean truncated, String duplicate) {
    this.stats = Collections.unmodifiableMap(new LinkedHashMap<>(stats));
    this.truncated = truncated;
    this.duplicate = duplicate;
  }

  /** An element carrying {@code stats}, for a bridge (or a test) to publish. */
  public static ColibriStatsElement of(Map<String, String> stats) {
    return new ColibriStatsElement(stats, false, null);
  }

  /** Every stat, name → value, in document order (the first of a duplicated name). */
  public Map<String, String> stats() {
    return stats;
  }

  /** More stat children arrived than {@link ColibriStatsProvider#MAX_STATS}; the rest were dropped. */
  public boolean truncated() {
    return truncated;
  }

  /** A stat name that appeared more than once, or null. */
  public String duplicate() {
    return duplicate;
  }

  @Override
  public String getElementName() {
    return ELEMENT;
  }

  @Override
  public String getNamespace() {
    return NAMESPACE;
  }

  @Override
  public XmlStringBuilder toXML(XmlEnvironment enclosingNamespace) {
    XmlStringBuilder xml = new XmlStringBuilder(this, enclosingNamespace);
    if (stats.isEmpty()) {
      return xml.closeEmptyElement();
    }
    xml.rightAngleBracket();
    stats.forEach((name, value) -> xml.halfOpenElement("stat").attribute("name", name).attribute("value", value)
        .closeEmptyElement());
    return xml.closeElement(this);
  }
}
