package org.visualscratchpad.analysis;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Locates the shared hf-reference fixtures through the {@code vsp.shared.dir} system property. */
public final class Fixtures {
  private Fixtures() {}

  public static Path scratchpadLlava() {
    String shared = System.getProperty("vsp.shared.dir", "../../shared");
    Path dir = Path.of(shared, "fixtures", "hf-reference", "scratchpad_llava");
    return require(dir);
  }

  /** Where tests write pictures for a person to look at. */
  public static Path pictures() {
    try {
      return Files.createDirectories(Path.of("target", "pictures"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * {@code dir} if it is a folder. Otherwise the test is skipped, except in CI (environment {@code
   * CI=true}, or {@code -Dvsp.fixtures.required=true}), where a missing {@code ../shared} fixture
   * fails the run: a CI run must never pass by skipping its parity and fixture tests.
   */
  public static Path require(Path dir) {
    if (!Files.isDirectory(dir)) {
      String message = "fixture folder missing: " + dir.toAbsolutePath().normalize()
          + " (the shared fixtures are found through -Dvsp.shared.dir, ../shared by default)";
      if (Boolean.parseBoolean(System.getProperty("vsp.fixtures.required", String.valueOf(System.getenv("CI"))))) {
        org.junit.jupiter.api.Assertions.fail(message + "; CI requires every fixture");
      }
      Assumptions.assumeTrue(false, message);
    }
    return dir;
  }
}
