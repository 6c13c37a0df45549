package io.bridgekeeper.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's "Use it from your project" section shows exactly what the consumer-project build
 * compiles and runs: its Java block is the fresh project's class, its XML the project's
 * dependencies.
 */
class ReadmeSnippetTest {
  private static final Path README = Path.of("..", "README.md");
  private static final Path CONSUMER = Path.of("src", "it", "consumer");

  private static String section() throws IOException {
    String readme = Files.readString(README);
    int start = readme.indexOf("\n## Use it from your project\n");
    assertTrue(start >= 0, "README has no \"Use it from your project\" section");
    int end = readme.indexOf("\n## ", start + 1);
    return readme.substring(start, end < 0 ? readme.length() : end);
  }

  private static String block(String section, String language) {
    int open = section.indexOf("```" + language + "\n");
    assertTrue(open >= 0, "no ```" + language + " block");
    int from = open + language.length() + 4;
    return section.substring(from, section.indexOf("```\n", from));
  }

  @Test
  void javaBlockIsTheConsumerProjectsClass() throws IOException {
    String java = Files.readString(CONSUMER.resolve("src/main/java/com/example/RouteAndGenerate.java"));
    assertEquals(java, block(section(), "java"));
  }

  @Test
  void xmlBlockIsTheConsumerProjectsDependencies() throws IOException {
    String pom = Files.readString(CONSUMER.resolve("pom.xml"));
    // The README names a version where the project's POM has invoker's placeholder.
    String xml = block(section(), "xml").replaceFirst("<version>[^<]+</version>", "<version>@project.version@</version>");
    String normalizedPom = pom.replaceAll("\\s+", " ");
    for (String part : xml.split("<!--")[0].split("(?=<dependencies>)")) {
      assertTrue(normalizedPom.contains(part.replaceAll("\\s+", " ").strip()),
          "README's XML is not in the consumer project's pom.xml:\n" + part);
    }
  }
}
