package io.bridgekeeper.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulateCommandTest {
  static String[] run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = BridgekeeperCli.run(args, new BufferedReader(new StringReader("")),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new String[] {Integer.toString(status), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void simulatesPoliciesSideBySideAndWritesTheReport(@TempDir Path dir) throws Exception {
    String[] r = run("simulate", "--hours", "6", "--peak", "100", "--out", dir.toString());
    assertEquals("0", r[0], r[2]);
    assertTrue(r[1].contains("jitsi-autoscaler 0.3/0.1") && r[1].contains("target tracking"), r[1]);
    String html = Files.readString(dir.resolve("report.html"));
    assertTrue(html.startsWith("<!DOCTYPE html>") && html.contains("<svg") && html.contains("<polyline"), "an HTML report with charts");
    assertTrue(Files.readString(dir.resolve("report.json")).contains("\"vmHours\""));
    // Same seed, same figures.
    String[] again = run("simulate", "--hours", "6", "--peak", "100", "--out", dir.toString());
    assertEquals(r[1], again[1]);
  }

  @Test
  void saysWhyTheReportCannotBeWritten(@TempDir Path dir) throws Exception {
    Path taken = Files.writeString(dir.resolve("taken"), "");
    String[] r = run("simulate", "--hours", "1", "--peak", "20", "--out", taken.toString());
    assertEquals("1", r[0], r[2]);
    // NIO's exception message is the path alone: "cannot write the report to X: X" said nothing.
    assertTrue(r[2].contains(taken + ": exists and is not a directory"), r[2]);
  }

  @Test
  void isTheMainJobAndRefusesBadOptions() {
    assertEquals("simulate", BridgekeeperCli.MAIN_JOB);
    assertEquals("2", run("simulate", "--hours", "0")[0]);
    assertEquals("2", run("simulate", "--peak", "lots")[0]);
    String[] r = run("simulate", "--scenario", "stampede");
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("diurnal or flash-crowd"), r[2]);
  }

  @Test
  void runsTheFlashCrowdScenario(@TempDir Path dir) {
    String[] r = run("simulate", "--scenario", "flash-crowd", "--hours", "12", "--peak", "200", "--out", dir.toString());
    assertEquals("0", r[0], r[2]);
    assertTrue(r[1].contains("more from 10:00 for 45 min") && r[1].contains("12 h from 2026-01-05T00:00:00Z"), r[1]);
  }
}
