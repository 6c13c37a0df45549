package io.bridgekeeper.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.gcp.GceGroupRef;
import io.bridgekeeper.gcp.fake.FakeComputeServer;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bridgekeeper gce-autoscale} against the loopback fake Compute API (sdk-gcp test-jar). The
 * brewery's XMPP server is a closed loopback port: the listener keeps retrying in the background
 * and the pool stays empty, which is all a first step needs.
 */
class GceAutoscaleCommandIT {
  record Result(int status, String out, String err) {}

  final FakeComputeServer fake = FakeComputeServer.start();
  final GceGroupRef group = GceGroupRef.zonal("bridgekeeper-test", "europe-west1-b", "jvb");

  @AfterEach
  void stop() {
    fake.close();
  }

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = BridgekeeperCli.run(args, new BufferedReader(new StringReader("")),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  String[] args(Path dir, String... extra) throws Exception {
    Path password = dir.resolve("xmpp-password");
    Files.writeString(password, "secret\n");
    List<String> a = new ArrayList<>(List.of("gce-autoscale", "--group", group.path(),
        "--endpoint", fake.endpoint(), "--no-credentials",
        "--xmpp-domain", "auth.meet.example.com", "--xmpp-host", "127.0.0.1:1", "--xmpp-user", "observer",
        "--xmpp-password-file", password.toString(),
        "--brewery", "shard-1=jvbbrewery@internal.auth.meet.example.com",
        "--policy", "target-tracking", "--min", "2", "--max", "5", "--once"));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  @Test
  void isADryRunUnlessToldToApply(@TempDir Path dir) throws Exception {
    fake.addGroup(group);
    Result dry = run(args(dir));
    assertEquals(0, dry.status(), dry.err());
    assertTrue(dry.out().startsWith("DRY RUN"), dry.out());
    assertTrue(dry.out().contains("bounded to [2, 5]") && dry.out().contains("(dry run)"), dry.out());
    assertTrue(dry.out().contains("jvb: target size 0"), dry.out());
    assertEquals(0, fake.requests("resize").size() + fake.requests("deleteInstances").size()
        + fake.requests("createInstances").size(), "a dry run changes nothing");

    Result applied = run(args(dir, "--apply", "--no-undrain", "--drain-swaps", "0", "--light-drains", "0.5:30m"));
    assertEquals(0, applied.status(), applied.err());
    assertTrue(applied.out().contains("launch\tlaunched 2"), applied.out());
    assertEquals(List.of("2"), fake.requests("resize").stream().map(r -> r.query().get("size")).toList());
  }

  @Test
  void warnsAboutAGceAutoscalerAndReportsTheRefusedLaunch(@TempDir Path dir) throws Exception {
    fake.addGroup(group).withAutoscaler(FakeComputeServer.AutoscalerMode.ONLY_SCALE_OUT);
    Result r = run(args(dir, "--apply"));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("warning: GCE autoscaler") && r.out().contains("/autoscalers/jvb-as"), r.out());
    assertTrue(r.out().contains("act-failed") && r.out().contains("refused (412)"), r.out());
  }

  @Test
  void refusesBadUsageWithExitStatus2(@TempDir Path dir) throws Exception {
    assertEquals(2, run("gce-autoscale").status());
    Result badGroup = run("gce-autoscale", "--group", "projects/p/zones/z");
    assertEquals(2, badGroup.status());
    assertTrue(badGroup.err().contains("not an instance group path"), badGroup.err());
    String[] a = args(dir);
    a[java.util.Arrays.asList(a).indexOf("--min") + 1] = "9";
    Result minAboveMax = run(a);
    assertEquals(2, minAboveMax.status());
    assertTrue(minAboveMax.err().contains("--min 9 is above --max 5"), minAboveMax.err());
    assertEquals(2, run(args(dir, "--bridge-id", "jvb")).status(), "a bridge-id template without {instance}");
    assertEquals(2, run(args(dir, "--interval", "0s")).status());
    Result badSwaps = run(args(dir, "--drain-swaps", "1"));
    assertEquals(2, badSwaps.status());
    assertTrue(badSwaps.err().contains("--drain-swaps takes a fraction from 0 (off) to below 1, was '1'"), badSwaps.err());
    Result badLight = run(args(dir, "--light-drains", "0.5"));
    assertEquals(2, badLight.status());
    assertTrue(badLight.err().contains("--light-drains takes FRACTION:WAIT"), badLight.err());
    assertEquals(2, run(args(dir, "--light-drains", "0:1h")).status(), "a light-drain fraction of 0");
    assertEquals(2, run(args(dir, "--light-drains", "0.5:soon")).status());
    Result missingGroup = run(args(dir));
    assertEquals(1, missingGroup.status(), "the group does not exist on the fake");
    assertTrue(missingGroup.err().contains("HTTP 404"), missingGroup.err());
  }
}
