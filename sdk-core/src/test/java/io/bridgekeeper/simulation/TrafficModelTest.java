package io.bridgekeeper.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrafficModelTest {
  // Monday 2026-01-05, 00:00 UTC.
  static final Instant MONDAY = Instant.parse("2026-01-05T00:00:00Z");

  @Test
  void theSameSeedGivesTheSameTrace() {
    TrafficModel a = new TrafficModel(TrafficModel.Options.diurnal(), List.of(), 42);
    TrafficModel b = new TrafficModel(TrafficModel.Options.diurnal(), List.of(), 42);
    assertEquals(a.generate(MONDAY, MONDAY.plus(Duration.ofDays(1))), b.generate(MONDAY, MONDAY.plus(Duration.ofDays(1))));
  }

  @Test
  void arrivalsFollowTheDiurnalCurve() {
    List<Conference> day = new TrafficModel(TrafficModel.Options.diurnal(), List.of(), 7)
        .generate(MONDAY, MONDAY.plus(Duration.ofDays(1)));
    long peak = day.stream().filter(c -> hour(c) >= 13 && hour(c) < 15).count();
    long night = day.stream().filter(c -> hour(c) >= 1 && hour(c) < 3).count();
    // Expected: about 2 h × ~590/h at the peak and 2 h × ~40/h at night.
    assertTrue(peak > 1000 && peak < 1400, "peak " + peak);
    assertTrue(night < 150, "night " + night);
    assertTrue(day.stream().allMatch(c -> c.participants() >= 2 && c.participants() <= 100));
  }

  @Test
  void sizesAreHeavyTailedAndFlashCrowdsAddArrivals() {
    TrafficModel crowded = new TrafficModel(TrafficModel.Options.diurnal(), List.of(new TrafficModel.FlashCrowd(
        MONDAY.plus(Duration.ofHours(3)), Duration.ofMinutes(30), 2000)), 7);
    List<Conference> night = crowded.generate(MONDAY.plus(Duration.ofHours(3)), MONDAY.plus(Duration.ofMinutes(210)));
    assertTrue(night.size() > 800, "a flash crowd of 2,000/h for 30 min: " + night.size());
    List<Conference> day = new TrafficModel(TrafficModel.Options.diurnal(), List.of(), 9)
        .generate(MONDAY, MONDAY.plus(Duration.ofDays(1)));
    long small = day.stream().filter(c -> c.participants() <= 4).count();
    long large = day.stream().filter(c -> c.participants() >= 50).count();
    assertTrue(small > day.size() / 2, "most meetings are small");
    assertTrue(large > 0 && large < day.size() / 20, "a few are large: " + large);
  }

  @Test
  void readsACsvTraceAndNamesBadLines(@TempDir Path dir) throws Exception {
    Path trace = dir.resolve("trace.csv");
    Files.writeString(trace, "start,participants,duration\n# a comment\n1767571200,5,1800\n1767571100,12,600\n");
    List<Conference> c = TrafficModel.readCsv(trace);
    assertEquals(2, c.size());
    assertEquals(12, c.get(0).participants(), "sorted by start");
    Files.writeString(trace, "1767571200,5,1800\n1767571200,0,1800\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrafficModel.readCsv(trace));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }

  private static long hour(Conference c) {
    return (c.start().getEpochSecond() % 86_400) / 3600;
  }
}
