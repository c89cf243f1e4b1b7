package org.visualscratchpad.sae;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** A missing ../shared fixture skips a test on a developer machine and fails it in CI. */
class FixturesTest {
  @TempDir Path tmp;
  private final String sharedDir = System.getProperty("vsp.shared.dir");
  private final String required = System.getProperty("vsp.fixtures.required");

  @AfterEach
  void restore() {
    restore("vsp.shared.dir", sharedDir);
    restore("vsp.fixtures.required", required);
  }

  @Test
  void a_missing_fixture_fails_the_run_in_ci() {
    System.setProperty("vsp.shared.dir", tmp.resolve("no-shared-here").toString());
    System.setProperty("vsp.fixtures.required", "true");
    AssertionFailedError e = assertThrows(AssertionFailedError.class, Fixtures::scratchpadLlava);
    assertTrue(e.getMessage().contains("no-shared-here") && e.getMessage().contains("CI requires every fixture"),
        e.getMessage());
  }

  @Test
  void a_missing_fixture_skips_the_test_outside_ci() {
    System.setProperty("vsp.shared.dir", tmp.resolve("no-shared-here").toString());
    System.setProperty("vsp.fixtures.required", "false");
    assertThrows(TestAbortedException.class, Fixtures::scratchpadLlava);
  }

  private static void restore(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }
}
