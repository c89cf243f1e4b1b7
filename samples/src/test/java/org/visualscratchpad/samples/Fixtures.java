package org.visualscratchpad.samples;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Where the shared reference fixtures live (system property {@code vsp.shared.dir}, set by Surefire). */
public final class Fixtures {
  private Fixtures() {}

  /** {@code <shared>/fixtures/hf-reference/<name>} (or the folder itself for an empty name), required as {@link #require} says. */
  public static Path hfReference(String name) {
    Path p = Path.of(System.getProperty("vsp.shared.dir", "../../shared")).resolve("fixtures/hf-reference")
        .resolve(name).toAbsolutePath().normalize();
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
