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
    Assumptions.assumeTrue(Files.isDirectory(p), "fixture folder missing: " + p.toAbsolutePath());
    return p;
  }
}
