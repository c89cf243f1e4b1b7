package org.visualscratchpad.torch;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Where the shared reference fixtures live (system property {@code vsp.shared.dir}). */
public final class Fixtures {
  private Fixtures() {}

  /** {@code <shared>/fixtures/hf-reference}. */
  public static Path hfReference() {
    String shared = System.getProperty("vsp.shared.dir", "../../shared");
    Path p = Path.of(shared).resolve("fixtures/hf-reference").toAbsolutePath().normalize();
    return require(p);
  }

  /** {@code <shared>/fixtures/<name>}, outside hf-reference (e.g. {@code llava-next-token-counts}). */
  public static Path shared(String name) {
    String shared = System.getProperty("vsp.shared.dir", "../../shared");
    return require(Path.of(shared).resolve("fixtures").resolve(name).toAbsolutePath().normalize());
  }

  /** One fixture folder. */
  public static Path folder(String name) {
    return hfReference().resolve(name);
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
