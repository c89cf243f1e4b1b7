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
    Assumptions.assumeTrue(Files.isDirectory(p), "fixtures not found at " + p);
    return p;
  }

  /** One fixture folder. */
  public static Path folder(String name) {
    return hfReference().resolve(name);
  }
}
