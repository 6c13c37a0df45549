package io.bridgekeeper.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.bridgekeeper.gcp.fake.FakeComputeServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With no credentials configured, the backend uses Application Default Credentials — proven
 * offline: a JVM whose environment has no key file and no gcloud login, and whose metadata server
 * ({@code GCE_METADATA_HOST}) is a loopback fake, fetches a token from it and sends that token to
 * the Compute API. Environment variables cannot be set in-process, hence the child JVM.
 */
class ApplicationDefaultCredentialsIT {
  static final String TOKEN = "ya29.bridgekeeper-loopback";

  /** The child: a backend with only an endpoint; prints the group's target size. */
  public static void main(String[] args) throws Exception {
    try (GceInstanceGroupBackend gce = GceInstanceGroupBackend.builder(GceGroupRef.parse(args[1]))
        .endpoint(args[0]).build()) {
      System.out.println("target size " + gce.targetSize());
    }
  }

  @Test
  void applicationDefaultCredentialsComeFromTheMetadataServer(@TempDir Path home) throws Exception {
    List<String> metadataRequests = new CopyOnWriteArrayList<>();
    HttpServer metadata = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    metadata.createContext("/", ex -> {
      metadataRequests.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + " flavor="
          + ex.getRequestHeaders().getFirst("Metadata-Flavor"));
      byte[] body = ex.getRequestURI().getPath().endsWith("/service-accounts/default/token")
          ? ("{\"access_token\":\"" + TOKEN + "\",\"expires_in\":3600,\"token_type\":\"Bearer\"}")
              .getBytes(StandardCharsets.UTF_8)
          : new byte[0];
      ex.getResponseHeaders().add("Metadata-Flavor", "Google");
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    metadata.start();
    try (FakeComputeServer fake = FakeComputeServer.start()) {
      GceGroupRef ref = GceTesting.newZonalRef();
      fake.addGroup(ref).withRunning("jvb-a", "jvb-b");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", ApplicationDefaultCredentialsIT.class.getName(),
          fake.endpoint(), ref.path());
      // No key file, no gcloud login, no real metadata server: only the loopback one is left.
      pb.environment().remove("GOOGLE_APPLICATION_CREDENTIALS");
      pb.environment().put("HOME", home.toString());
      pb.environment().put("CLOUDSDK_CONFIG", home.resolve("gcloud").toString());
      pb.environment().put("GCE_METADATA_HOST", "127.0.0.1:" + metadata.getAddress().getPort());
      pb.redirectErrorStream(true);
      Path log = home.resolve("child.log");
      pb.redirectOutput(log.toFile());
      Process child = pb.start();
      try {
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child JVM finished within 60 s");
      } finally {
        child.destroyForcibly();
      }
      String out = Files.readString(log);
      assertEquals(0, child.exitValue(), out);
      assertTrue(out.contains("target size 2"), out);
      assertTrue(metadataRequests.stream().anyMatch(r -> r.startsWith("GET ") && r.endsWith("/token flavor=Google")),
          () -> "a token was asked of the metadata server: " + metadataRequests);
      assertEquals("Bearer " + TOKEN, fake.requests("get").get(0).authorization());
    } finally {
      metadata.stop(0);
    }
  }
}
