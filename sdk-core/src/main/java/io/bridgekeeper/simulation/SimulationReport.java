package io.bridgekeeper.simulation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The simulator's report: one self-contained HTML page (inline SVG charts, no scripts, no external
 * files) that a person reads at a glance, and the same figures as text and JSON. Stateless.
 */
public final class SimulationReport {
  private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};

  private SimulationReport() {}

  /** One policy's run: its result and its samples. */
  public record Run(Simulation.Result result, List<Simulation.Sample> samples) {}

  /** A fixed-width table, one line per policy. */
  public static String text(List<Run> runs) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-28s %9s %9s %9s %10s %8s %8s %6s%n",
        "policy", "VM-hours", "× oracle", "overload", "moved", "unplaced", "actions", "peak"));
    for (Run r : runs) {
      Simulation.Result x = r.result();
      sb.append(String.format(Locale.ROOT, "%-28s %9.1f %9.2f %7.1f m %10d %8d %8d %6d%n", x.policy(), x.vmHours(),
          x.oracleVmHours() == 0 ? 0 : x.vmHours() / x.oracleVmHours(), x.overloadMinutes(), x.participantsMoved(),
          x.participantsUnplaced(), x.scaleActions(), x.peakBridges()));
    }
    return sb.toString();
  }

  /** The results as JSON. */
  public static String json(String scenario, List<Run> runs) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("scenario", scenario);
    root.put("results", runs.stream().map(Run::result).toList());
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The HTML page. */
  public static String html(String scenario, List<Run> runs, double stressThreshold) {
    StringBuilder h = new StringBuilder(64 * 1024);
    h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Bridgekeeper simulation</title>")
        .append("<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}")
        .append("table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}")
        .append("td:first-child,th:first-child{text-align:left}.note{color:#555}</style></head><body>")
        .append("<h1>Bridgekeeper simulation</h1><p class=\"note\">").append(escape(scenario)).append("</p>")
        .append("<h2>Results</h2><table><tr><th>policy</th><th>VM-hours</th><th>× oracle</th><th>overload minutes</th>")
        .append("<th>participants moved</th><th>unplaced</th><th>scale actions</th><th>peak bridges</th></tr>");
    for (int i = 0; i < runs.size(); i++) {
      Simulation.Result x = runs.get(i).result();
      h.append(String.format(Locale.ROOT, "<tr><td><span style=\"color:%s\">■</span> %s</td><td>%.1f</td><td>%.2f</td>"
              + "<td>%.1f</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td></tr>", COLOURS[i % COLOURS.length],
          escape(x.policy()), x.vmHours(), x.oracleVmHours() == 0 ? 0 : x.vmHours() / x.oracleVmHours(),
          x.overloadMinutes(), x.participantsMoved(), x.participantsUnplaced(), x.scaleActions(), x.peakBridges()));
    }
    h.append("</table><p class=\"note\">Oracle: just enough bridges at every step for the load at the stress "
        + "threshold, with no boot delay — a lower bound no real policy reaches.</p>");
    if (!runs.isEmpty()) {
      h.append("<h2>Load</h2>").append(chart(runs.subList(0, 1), s -> s.participants(), "participants", false, -1));
      h.append("<h2>Bridges running (solid) and needed (dashed)</h2>")
          .append(chart(runs, s -> s.bridgesRunning(), "bridges", true, -1));
      h.append("<h2>Highest bridge stress (threshold dotted)</h2>")
          .append(chart(runs, s -> s.maxStress(), "stress", false, stressThreshold));
    }
    return h.append("</body></html>\n").toString();
  }

  private interface Metric {
    double of(Simulation.Sample s);
  }

  private static String chart(List<Run> runs, Metric metric, String unit, boolean needed, double line) {
    int w = 1000;
    int ht = 220;
    int pad = 40;
    double max = 0;
    int n = 0;
    for (Run r : runs) {
      for (Simulation.Sample s : r.samples()) {
        max = Math.max(max, metric.of(s));
        if (needed) {
          max = Math.max(max, s.bridgesNeeded());
        }
      }
      n = Math.max(n, r.samples().size());
    }
    max = Math.max(max, line) * 1.1;
    if (max == 0 || n < 2) {
      return "<p class=\"note\">no data</p>";
    }
    StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
        "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">", w, ht + pad, w, ht + pad, unit));
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>", pad, ht, w, ht))
        .append(String.format(Locale.ROOT, "<text x=\"2\" y=\"12\" font-size=\"11\">%.1f %s</text>", max, unit))
        .append(String.format(Locale.ROOT, "<text x=\"2\" y=\"%d\" font-size=\"11\">0</text>", ht));
    if (line > 0) {
      double y = ht - line / max * (ht - 10);
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#888\" "
          + "stroke-dasharray=\"2,3\"/>", pad, y, w, y));
    }
    for (int i = 0; i < runs.size(); i++) {
      List<Simulation.Sample> samples = runs.get(i).samples();
      String colour = COLOURS[i % COLOURS.length];
      svg.append(polyline(samples, metric, max, w, ht, pad, n, colour, ""));
      if (needed && i == 0) {
        svg.append(polyline(samples, s -> s.bridgesNeeded(), max, w, ht, pad, n, "#000", " stroke-dasharray=\"5,4\""));
      }
    }
    if (!runs.get(0).samples().isEmpty()) {
      Simulation.Sample first = runs.get(0).samples().get(0);
      Simulation.Sample last = runs.get(0).samples().get(runs.get(0).samples().size() - 1);
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>", pad, ht + 16, first.at()))
          .append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>", w,
              ht + 16, last.at()));
    }
    return svg.append("</svg>").toString();
  }

  private static String polyline(List<Simulation.Sample> samples, Metric metric, double max, int w, int ht, int pad,
      int n, String colour, String extra) {
    StringBuilder pts = new StringBuilder();
    for (int i = 0; i < samples.size(); i++) {
      double x = pad + (double) i / (n - 1) * (w - pad);
      double y = ht - metric.of(samples.get(i)) / max * (ht - 10);
      pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
    }
    return "<polyline fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"1.2\"" + extra + " points=\"" + pts + "\"/>";
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
