package io.bridgekeeper.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The shape of what {@code mvn install} publishes, read from the isolated repository that
 * invoker:install filled from this reactor (the same files {@code deploy} uploads): per SDK
 * module a jar with a stable module name, sources, javadoc without the internal packages, and no
 * internal type in a public signature; one BOM that lists exactly the SDK modules.
 */
class ReleaseShapeIT {
  /** The published SDK modules and the module names module-path users {@code requires}. */
  static final Map<String, String> MODULES = Map.of(
      "sdk-core", "io.bridgekeeper.core",
      "sdk-haproxy-adapter", "io.bridgekeeper.haproxy",
      "sdk-xmpp", "io.bridgekeeper.xmpp",
      "sdk-gcp", "io.bridgekeeper.gcp");

  private final Path repo = Path.of(System.getProperty("bridgekeeper.itRepo", "target/it-repo"));
  private final String version = System.getProperty("bridgekeeper.version", "0.1.0-SNAPSHOT");

  private Path artifact(String artifactId, String suffix) {
    return repo.resolve("io/bridgekeeper").resolve(artifactId).resolve(version)
        .resolve(artifactId + "-" + version + suffix);
  }

  @Test
  void everyModulePublishesJarPomSourcesAndJavadoc() {
    for (String module : MODULES.keySet()) {
      for (String suffix : List.of(".jar", ".pom", "-sources.jar", "-javadoc.jar")) {
        assertTrue(Files.isRegularFile(artifact(module, suffix)), "missing " + artifact(module, suffix));
      }
    }
  }

  @Test
  void everyJarHasItsAutomaticModuleName() throws IOException {
    for (var e : MODULES.entrySet()) {
      Path jar = artifact(e.getKey(), ".jar");
      try (JarFile j = new JarFile(jar.toFile())) {
        assertEquals(e.getValue(), j.getManifest().getMainAttributes().getValue("Automatic-Module-Name"), jar.toString());
      }
      // What the module system itself makes of the jar (a bad name, or a split package inside,
      // would fail here): an automatic module of that name.
      Set<ModuleReference> found = ModuleFinder.of(jar).findAll();
      assertEquals(1, found.size());
      ModuleDescriptor d = found.iterator().next().descriptor();
      assertEquals(e.getValue(), d.name(), jar.toString());
      assertTrue(d.isAutomatic());
    }
  }

  @Test
  void noTwoModulesShareAPackage() {
    Map<String, String> owner = new HashMap<>();
    for (String module : MODULES.keySet()) {
      ModuleDescriptor d = ModuleFinder.of(artifact(module, ".jar")).findAll().iterator().next().descriptor();
      for (String p : d.packages()) {
        String before = owner.put(p, module);
        assertTrue(before == null, "package " + p + " is in both " + before + " and " + module);
      }
    }
  }

  @Test
  void javadocDocumentsThePublicPackagesAndNoInternalOne() throws IOException {
    for (String module : MODULES.keySet()) {
      Set<String> documented = new TreeSet<>();
      Set<String> api = new TreeSet<>();
      try (JarFile javadoc = new JarFile(artifact(module, "-javadoc.jar").toFile());
           JarFile jar = new JarFile(artifact(module, ".jar").toFile())) {
        for (JarEntry e : (Iterable<JarEntry>) javadoc.stream()::iterator) {
          if (e.getName().endsWith("/package-summary.html")) {
            String path = e.getName().substring(0, e.getName().length() - "/package-summary.html".length());
            // Module-aware javadoc puts packages under <module-name>/.
            documented.add(path.substring(path.indexOf("/io/") + 1).replace('/', '.'));
          }
        }
        for (JarEntry e : (Iterable<JarEntry>) jar.stream()::iterator) {
          if (e.getName().endsWith(".class") && e.getName().startsWith("io/")) {
            String p = e.getName().substring(0, e.getName().lastIndexOf('/')).replace('/', '.');
            if (!ApiSurface.isInternal(p)) {
              api.add(p);
            }
          }
        }
      }
      assertFalse(api.isEmpty(), module);
      assertEquals(api, documented, module + ": documented packages");
    }
  }

  @Test
  void sourcesJarHoldsExactlyTheCurrentSources() throws IOException {
    // Also catches a stale jar: invoker:install falls back to ~/.m2 for an artifact this build
    // did not attach, so "present" alone would not prove that this build produced it.
    for (String module : MODULES.keySet()) {
      Path root = Path.of("..", module, "src", "main", "java");
      Set<String> expected = new TreeSet<>();
      try (var files = Files.walk(root)) {
        files.filter(f -> f.toString().endsWith(".java"))
            .forEach(f -> expected.add(root.relativize(f).toString().replace('\\', '/')));
      }
      Set<String> published = new TreeSet<>();
      try (JarFile jar = new JarFile(artifact(module, "-sources.jar").toFile())) {
        jar.stream().map(JarEntry::getName).filter(n -> n.endsWith(".java")).forEach(published::add);
      }
      assertFalse(expected.isEmpty(), module);
      assertEquals(expected, published, module + "-sources.jar");
    }
  }

  @Test
  void javadocJarDocumentsExactlyThePublicClasses() throws Exception {
    for (String module : MODULES.keySet()) {
      Set<String> expected = new TreeSet<>();
      try (JarFile jar = new JarFile(artifact(module, ".jar").toFile())) {
        for (JarEntry e : (Iterable<JarEntry>) jar.stream()::iterator) {
          String name = e.getName();
          if (name.endsWith(".class") && !name.endsWith("-info.class")) {
            Class<?> c = Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false,
                getClass().getClassLoader());
            if (ApiSurface.isApi(c)) {
              // Javadoc's page for a nested class: Outer.Inner.html.
              String simple = c.getName().substring(c.getPackageName().length() + 1).replace('$', '.');
              expected.add(c.getPackageName().replace('.', '/') + "/" + simple + ".html");
            }
          }
        }
      }
      Set<String> documented = new TreeSet<>();
      Pattern page = Pattern.compile("(?:[^/]+/)?(io/.*/[A-Z][^/]*\\.html)");
      try (JarFile javadoc = new JarFile(artifact(module, "-javadoc.jar").toFile())) {
        for (JarEntry e : (Iterable<JarEntry>) javadoc.stream()::iterator) {
          Matcher m = page.matcher(e.getName());
          if (m.matches() && !e.getName().contains("/class-use/") && !e.getName().contains("/src/")) {
            documented.add(m.group(1));
          }
        }
      }
      assertFalse(expected.isEmpty(), module);
      assertEquals(expected, documented, module + "-javadoc.jar: class pages");
    }
  }

  @Test
  void noPublicSignatureExposesAnInternalType() throws Exception {
    List<String> leaks = new ArrayList<>();
    int checked = 0;
    for (String module : MODULES.keySet()) {
      try (JarFile jar = new JarFile(artifact(module, ".jar").toFile())) {
        for (JarEntry e : (Iterable<JarEntry>) jar.stream()::iterator) {
          String name = e.getName();
          if (!name.endsWith(".class") || name.endsWith("module-info.class") || name.endsWith("package-info.class")) {
            continue;
          }
          // Loaded by this test's class loader, which has every module and its dependencies.
          Class<?> c = Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false,
              getClass().getClassLoader());
          if (ApiSurface.isApi(c)) {
            checked++;
          }
          leaks.addAll(ApiSurface.internalTypesExposedBy(c));
        }
      }
    }
    assertTrue(checked > 50, "only " + checked + " API classes found");
    assertEquals(List.of(), leaks, "public signatures exposing internal types");
  }

  @Test
  void bomManagesExactlyTheSdkModulesAtThisVersion() throws Exception {
    Path bom = artifact("bridgekeeper-bom", ".pom");
    var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(bom.toFile());
    Element root = doc.getDocumentElement();
    assertEquals(0, root.getElementsByTagName("parent").getLength(),
        "the BOM must not inherit: an import brings the parent's dependencyManagement along");
    NodeList deps = root.getElementsByTagName("dependency");
    Map<String, String> managed = new HashMap<>();
    for (int i = 0; i < deps.getLength(); i++) {
      Element d = (Element) deps.item(i);
      assertEquals("io.bridgekeeper", text(d, "groupId"));
      managed.put(text(d, "artifactId"), text(d, "version"));
    }
    assertEquals(MODULES.keySet(), managed.keySet());
    String projectVersion = text(root, "version");
    assertEquals(version, projectVersion);
    for (String v : managed.values()) {
      assertTrue(v.equals(version) || v.equals("${project.version}"), v);
    }
  }

  @Test
  void everySdkModuleOfTheReactorIsCoveredHere() throws Exception {
    // A new sdk-* module must join the BOM and these checks (examples, benchmarks and
    // consumer-test are not published).
    var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("..", "pom.xml").toFile());
    NodeList modules = doc.getDocumentElement().getElementsByTagName("module");
    Set<String> sdk = new TreeSet<>();
    for (int i = 0; i < modules.getLength(); i++) {
      String m = modules.item(i).getTextContent().trim();
      if (m.startsWith("sdk-")) {
        sdk.add(m);
      }
    }
    assertEquals(new TreeSet<>(MODULES.keySet()), sdk);
  }

  private static String text(Element parent, String tag) {
    NodeList l = parent.getChildNodes();
    for (int i = 0; i < l.getLength(); i++) {
      if (l.item(i) instanceof Element e && e.getTagName().equals(tag)) {
        return e.getTextContent().trim();
      }
    }
    return null;
  }
}
