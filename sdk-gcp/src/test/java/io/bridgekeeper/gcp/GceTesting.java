package io.bridgekeeper.gcp;

import com.google.api.gax.core.NoCredentialsProvider;
import io.bridgekeeper.gcp.fake.FakeComputeServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A backend pointed at the loopback fake, with millisecond polling and no real sleeping between retries. */
final class GceTesting {
  static final String PROJECT = "bridgekeeper-test";
  static final String ZONE = "europe-west1-b";
  static final String REGION = "europe-west1";
  private static final AtomicInteger GROUPS = new AtomicInteger();

  private GceTesting() {}

  static GceGroupRef newZonalRef() {
    return GceGroupRef.zonal(PROJECT, ZONE, "jvb-" + GROUPS.incrementAndGet());
  }

  static GceGroupRef newRegionalRef() {
    return GceGroupRef.regional(PROJECT, REGION, "jvb-r" + GROUPS.incrementAndGet());
  }

  /** Backoffs are recorded in {@code sleeps}, not slept. */
  static GceInstanceGroupBackend.Builder backend(FakeComputeServer fake, GceGroupRef ref, List<Duration> sleeps) {
    return GceInstanceGroupBackend.builder(ref)
        .endpoint(fake.endpoint())
        .credentials(NoCredentialsProvider.create())
        .retry(new GceRetryPolicy(4, Duration.ofMillis(100), 2.0, Duration.ofSeconds(1)))
        .sleeper(d -> sleeps.add(d))
        .random(new java.util.SplittableRandom(1))
        .requestTimeout(Duration.ofSeconds(10))
        .operationPolling(Duration.ofMillis(2), Duration.ofMillis(10), Duration.ofSeconds(10))
        .clock(fake.clock());
  }
}
