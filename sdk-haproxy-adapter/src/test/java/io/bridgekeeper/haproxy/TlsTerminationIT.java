package io.bridgekeeper.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.routing.EchoBackends;
import io.bridgekeeper.routing.HaproxyProcess;
import io.bridgekeeper.routing.RoomKeyRules;
import io.bridgekeeper.routing.RoutingTable;
import java.io.FileInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated configuration terminating TLS ({@code bind … ssl crt}) next to a plain bind: rooms
 * reach the router's shard either way, and the shard learns the client and the scheme from
 * {@code X-Forwarded-For} and {@code X-Forwarded-Proto}. The certificate is made with the JDK's
 * keytool, so the test needs nothing beyond Java and HAProxy.
 */
class TlsTerminationIT {
  @Test
  void terminatesTlsAndForwardsClientAndScheme(@TempDir Path dir) throws Exception {
    Path p12 = dir.resolve("server.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
        "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", p12.toString(),
        "-storepass", "changeit").redirectErrorStream(true).start();
    keytool.getInputStream().readAllBytes();
    assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, "keytool failed");
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(p12.toFile())) {
      store.load(in, "changeit".toCharArray());
    }
    Certificate cert = store.getCertificate("server");
    PrivateKey key = (PrivateKey) store.getKey("server", "changeit".toCharArray());
    Path pem = dir.resolve("server.pem");
    Files.writeString(pem, pem("CERTIFICATE", cert.getEncoded()) + pem("PRIVATE KEY", key.getEncoded()));

    try (EchoBackends backends = EchoBackends.start(List.of("eu-1", "eu-2", "us-1", "us-2", "static"))) {
      RoutingTable table = RoutingTable.of(GeneratedConfigIT.topology(backends, RoomKeyRules.defaults()));
      int tlsPort = HaproxyProcess.freePort();
      int plainPort = HaproxyProcess.freePort();
      HaproxyConfig config = HaproxyConfig.builder().bindTls("127.0.0.1:" + tlsPort, pem)
          .bind("127.0.0.1:" + plainPort).mapDirectory(dir).logTarget(Optional.empty())
          .statsSocket(Optional.empty()).masterWorker(false).staticServer(backends.address("static")).build();
      Path cfg = config.write(table, dir);

      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("server", cert);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, tmf.getTrustManagers(), null);
      HttpClient client = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();

      try (HaproxyProcess haproxy = HaproxyProcess.start(dir, Files.readString(cfg), tlsPort)) {
        for (String room : List.of("MyRoom", "Caf%C3%A9", "daily%20standup")) {
          for (String scheme : List.of("https", "http")) {
            int port = scheme.equals("https") ? tlsPort : plainPort;
            String target = "/acme/http-bind?room=" + room;
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + target))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            String shard = table.route(target).orElseThrow().id();
            assertEquals(200, r.statusCode());
            assertEquals(shard, r.body(), scheme + " " + target);
            assertEquals(scheme, backends.lastHeaders(shard).get("x-forwarded-proto"), "X-Forwarded-Proto");
            assertEquals("127.0.0.1", backends.lastHeaders(shard).get("x-forwarded-for"), "X-Forwarded-For");
          }
        }
      }
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
