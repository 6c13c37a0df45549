package io.bridgekeeper.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.google.api.gax.core.GoogleCredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.cloud.compute.v1.InstanceGroupManagersSettings;
import com.google.cloud.compute.v1.RegionInstanceGroupManagersSettings;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClientConfigTest {
  static ClientConfig config(Optional<String> endpoint, boolean noCredentials) {
    return new ClientConfig(endpoint, noCredentials ? Optional.of(NoCredentialsProvider.create()) : Optional.empty(),
        Duration.ofSeconds(30), Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofMinutes(2));
  }

  @Test
  void applicationDefaultCredentialsAndGcesEndpointUnlessToldOtherwise() throws Exception {
    InstanceGroupManagersSettings.Builder zonal = config(Optional.empty(), false)
        .apply(InstanceGroupManagersSettings.newBuilder());
    // The client's default provider is ADC (GoogleCredentials.getApplicationDefault, with the compute scopes).
    assertInstanceOf(GoogleCredentialsProvider.class, zonal.getCredentialsProvider());
    assertEquals("compute.googleapis.com:443", zonal.build().getEndpoint());
    RegionInstanceGroupManagersSettings.Builder regional = config(Optional.of("http://127.0.0.1:1"), true)
        .apply(RegionInstanceGroupManagersSettings.newBuilder());
    assertInstanceOf(NoCredentialsProvider.class, regional.getCredentialsProvider());
    assertEquals("http://127.0.0.1:1", regional.build().getEndpoint());
  }
}
