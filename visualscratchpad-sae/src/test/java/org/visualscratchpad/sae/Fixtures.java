package org.visualscratchpad.sae;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Locates the shared fixtures (system property vsp.shared.dir, set by Surefire). */
public final class Fixtures {
  private Fixtures() {}

  public static Path shared() {
    String dir = System.getProperty("vsp.shared.dir", "../../shared");
    return Path.of(dir);
  }

  /** The scratchpad_llava fixture folder; the test is skipped (not passed) if it is absent. */
  public static Path scratchpadLlava() {
    Path p = shared().resolve("fixtures/hf-reference/scratchpad_llava");
    return require(p);
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
