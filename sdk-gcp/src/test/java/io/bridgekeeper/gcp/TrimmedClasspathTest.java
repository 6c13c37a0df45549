package io.bridgekeeper.gcp;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The root POM excludes the gRPC transport jars google-cloud-compute declares but does not use on
 * its REST path (../shared/reference/gce-client.md §1.5). This keeps the exclusions from silently
 * going away — and keeps the one gRPC piece that must stay. That the trimmed set works is shown
 * by every *IT of this module, which drive the real client over HTTP.
 */
class TrimmedClasspathTest {
  /** One class from each excluded jar. */
  static final List<String> EXCLUDED = List.of(
      "com.google.api.gax.grpc.GrpcTransportChannel",                // gax-grpc
      "io.grpc.internal.ManagedChannelImpl",                          // grpc-core
      "io.grpc.inprocess.InProcessChannelBuilder",                    // grpc-inprocess
      "io.grpc.googleapis.GoogleCloudToProdNameResolverProvider",     // grpc-googleapis
      "io.grpc.xds.XdsNameResolverProvider",                          // grpc-xds
      "io.grpc.util.MutableHandlerRegistry",                          // grpc-util
      "io.grpc.protobuf.services.HealthStatusManager",                // grpc-services
      "io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder",       // grpc-netty-shaded (never wanted)
      "io.grpc.netty.NettyChannelBuilder",                            // grpc-netty (never wanted)
      "com.google.re2j.Pattern",                                      // re2j
      "io.perfmark.PerfMark",                                         // perfmark-api
      "org.codehaus.mojo.animal_sniffer.IgnoreJRERequirement",        // animal-sniffer-annotations
      "android.annotation.SuppressLint");                             // com.google.android:annotations

  @Test
  void theGrpcTransportIsNotOnTheClasspath() {
    ClassLoader loader = TrimmedClasspathTest.class.getClassLoader();
    for (String name : EXCLUDED) {
      if (loader.getResource(name.replace('.', '/') + ".class") != null) {
        fail(name + " is on the classpath: an exclusion of google-cloud-compute in the root pom.xml is gone");
      }
    }
  }

  @Test
  void grpcApiStays() {
    // gax uses io.grpc.Context even over HTTP; without grpc-api every call fails with
    // NoClassDefFoundError: io/grpc/Context (gce-client.md §1.5).
    assertDoesNotThrow(() -> Class.forName("io.grpc.Context"));
    assertDoesNotThrow(() -> Class.forName("com.google.api.gax.httpjson.HttpJsonTransportChannel"));
  }
}
