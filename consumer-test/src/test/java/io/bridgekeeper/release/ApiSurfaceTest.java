package io.bridgekeeper.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.routing.internal.AtomicFiles;
import io.bridgekeeper.routing.internal.Printable;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The leak detector ReleaseShapeIT runs on the published jars, on classes built to leak (public, so its nested fixtures are API). */
public class ApiSurfaceTest {
  /** Leaks through every kind of signature element. */
  public static class Leaky<T extends Supplier<Printable>> implements Supplier<AtomicFiles> {
    public Printable field;
    protected Map<String, List<? extends AtomicFiles>> nested;
    private Printable hidden;

    public Leaky(Printable p) {
      this.hidden = p;
    }

    public Printable[] array() {
      return new Printable[] {hidden};
    }

    protected <U extends AtomicFiles> void bounded(U u) {}

    @Override
    public AtomicFiles get() {
      return null;
    }

    private Printable privateOnly() {
      return hidden;
    }
  }

  /** Uses internal types only where users cannot see them. */
  public static class Clean {
    private Printable hidden;

    public String name() {
      return String.valueOf(hidden) + privateHelper();
    }

    String packagePrivate(AtomicFiles f) {
      return "";
    }

    private static String privateHelper() {
      return "";
    }
  }

  /** Not API at all: package-private. */
  static class NotApi {
    public Printable p;
  }

  @Test
  void findsEveryLeakAndNothingPrivate() {
    List<String> leaks = ApiSurface.internalTypesExposedBy(Leaky.class);
    String n = Leaky.class.getName();
    String printable = Printable.class.getName();
    String files = AtomicFiles.class.getName();
    assertTrue(leaks.contains(n + " implements: " + files), leaks::toString);
    assertTrue(leaks.contains(n + " type parameter T: " + printable), leaks::toString);
    assertTrue(leaks.contains(n + ".field: " + printable), leaks::toString);
    assertTrue(leaks.contains(n + ".nested: " + files), leaks::toString);
    assertTrue(leaks.contains(n + ".<init> parameter: " + printable), leaks::toString);
    assertTrue(leaks.contains(n + ".array() returns: " + printable), leaks::toString);
    assertTrue(leaks.contains(n + ".bounded() type parameter U: " + files), leaks::toString);
    assertTrue(leaks.contains(n + ".get() returns: " + files), leaks::toString);
    assertFalse(leaks.toString().contains("hidden") || leaks.toString().contains("privateOnly"), leaks::toString);
  }

  @Test
  void cleanAndNonApiClassesPass() {
    assertEquals(List.of(), ApiSurface.internalTypesExposedBy(Clean.class));
    assertEquals(List.of(), ApiSurface.internalTypesExposedBy(NotApi.class));
    assertEquals(List.of(), ApiSurface.internalTypesExposedBy(Printable.class));
  }

  @Test
  void internalMeansAPackageSegment() {
    assertTrue(ApiSurface.isInternal("io.bridgekeeper.routing.internal"));
    assertTrue(ApiSurface.isInternal("io.bridgekeeper.internal.x"));
    assertFalse(ApiSurface.isInternal("io.bridgekeeper.internalish"));
    assertFalse(ApiSurface.isInternal("io.bridgekeeper.routing"));
  }
}
