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
    Assumptions.assumeTrue(Files.isDirectory(dir), "fixture folder missing: " + dir.toAbsolutePath());
    return dir;
  }

  /** Where tests write pictures for a person to look at. */
  public static Path pictures() {
    try {
      return Files.createDirectories(Path.of("target", "pictures"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
