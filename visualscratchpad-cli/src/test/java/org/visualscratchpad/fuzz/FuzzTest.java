package org.visualscratchpad.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every fuzz target with a fixed seed: only the project's own exceptions, no hang, no
 * OutOfMemoryError. A few hundred cases each by default (seconds); {@code -Pfuzz} sets {@code
 * vsp.fuzz.cases} to 1,000,000.
 */
class FuzzTest {
  static final long SEED = 20261206L;
  @TempDir Path work;

  @ParameterizedTest
  @ValueSource(strings = {"safetensors", "patchsae", "saelens-cfg", "model-config", "preprocessor-config",
      "chat-template", "tokenizer", "server"})
  void bad_inputs_get_only_the_projects_own_exceptions(String target) throws Exception {
    org.visualscratchpad.samples.Fixtures.hfReference("llava_next_mistral");
    long cases = Long.getLong("vsp.fuzz.cases", target.equals("server") || target.equals("tokenizer") ? 300 : 1000);
    try (FuzzTarget t = FuzzTargets.create(target, Path.of("..").toAbsolutePath().normalize(), work)) {
      Fuzzer.Report r = Fuzzer.run(t, cases, SEED, Duration.ofSeconds(30), Path.of("target/fuzz-failures"));
      System.out.println(r);
      assertTrue(r.failures().isEmpty(), r.toString());
      assertEquals(cases, r.cases());
    }
  }
}
