package io.bridgekeeper.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GceGroupRefTest {
  @Test
  void parsesZonalAndRegionalPathsAndSelfLinks() {
    GceGroupRef z = GceGroupRef.parse("projects/my-project/zones/europe-west1-b/instanceGroupManagers/jvb");
    assertEquals(GceGroupRef.zonal("my-project", "europe-west1-b", "jvb"), z);
    assertEquals("zones/europe-west1-b", z.locationPath());
    GceGroupRef r = GceGroupRef.parse(
        "https://www.googleapis.com/compute/v1/projects/my-project/regions/us-central1/instanceGroupManagers/jvb-pool");
    assertEquals(GceGroupRef.Scope.REGIONAL, r.scope());
    assertEquals("projects/my-project/regions/us-central1/instanceGroupManagers/jvb-pool", r.path());
    assertEquals(r, GceGroupRef.parse(r.toString()));
  }

  @Test
  void refusesWhatGceWouldNotName() {
    assertThrows(IllegalArgumentException.class, () -> GceGroupRef.parse("projects/p/zones/z"));
    // A region where a zone belongs, and the other way round.
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> GceGroupRef.zonal("my-project", "europe-west1", "jvb")).getMessage().contains("zone 'europe-west1'"));
    assertThrows(IllegalArgumentException.class, () -> GceGroupRef.regional("my-project", "europe-west1-b", "jvb"));
    assertThrows(IllegalArgumentException.class, () -> GceGroupRef.zonal("My_Project", "europe-west1-b", "jvb"));
    assertThrows(IllegalArgumentException.class, () -> GceGroupRef.zonal("my-project", "europe-west1-b", "JVB"));
    assertThrows(IllegalArgumentException.class, () -> GceGroupRef.zonal("my-project", "europe-west1-b", "jvb-"));
    assertThrows(IllegalArgumentException.class, () -> GceGroupRef.zonal(null, "europe-west1-b", "jvb"));
    assertEquals("example.com:my-project", GceGroupRef.zonal("example.com:my-project", "us-east1-c", "jvb").project());
  }
}
