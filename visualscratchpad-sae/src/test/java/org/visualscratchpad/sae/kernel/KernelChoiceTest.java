package org.visualscratchpad.sae.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.sae.Fixtures;
import org.visualscratchpad.sae.format.SaeLoader;

/** Run-time kernel choice, including a JVM started without jdk.incubator.vector. */
class KernelChoiceTest {

  @Test
  void auto_resolves_to_vector_only_when_the_module_is_present() {
    assertEquals(KernelChoice.VECTOR, KernelChoice.AUTO.resolve(true));
    assertEquals(KernelChoice.SCALAR, KernelChoice.AUTO.resolve(false));
    assertEquals(KernelChoice.SCALAR, KernelChoice.SCALAR.resolve(true));
  }

  /** Entry point of the child JVM: loads the fixture SAE twice with AUTO and encodes. */
  public static void main(String[] args) {
    for (int i = 0; i < 2; i++) {
      var sae = SaeLoader.load(Path.of(args[0]));
      var z = org.visualscratchpad.tensor.FloatMatrix.zeros(3, sae.dIn());
      System.out.println("kernel=" + sae.kernel().name() + " rows=" + sae.encode(z).rows());
    }
  }

  @Test
  void without_the_vector_module_the_scalar_kernel_runs_and_says_once_how_to_enable_simd()
      throws IOException, InterruptedException {
    Path sae = Fixtures.scratchpadLlava().resolve("sae").toAbsolutePath();
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(List.of(java.toString(), "-cp", cp, KernelChoiceTest.class.getName(),
        sae.toString())).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out + err);
    assertEquals(2, out.split("kernel=scalar rows=3", -1).length - 1, out);
    assertEquals(1, err.split("--add-modules jdk.incubator.vector", -1).length - 1,
        "the hint is logged exactly once: " + err);
  }
}
