package org.visualscratchpad.torch.family.qwen2vl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.visualscratchpad.torch.Fixtures;
import org.visualscratchpad.torch.parity.FixtureParity;
import org.visualscratchpad.torch.parity.ParityCheck;
import org.visualscratchpad.torch.parity.ParityReport;

/**
 * {@code vsp parity} on the qwen2_vl fixture: every reference output transformers computed (vision rotary
 * angles, hidden states of every block, merger output, M-RoPE position ids and rope deltas, image features, LM hidden states,
 * attentions and logits of the single, batch and multi cases, greedy generation with KV cache) is reproduced.
 */
class Qwen2VLParityTest {

  @ParameterizedTest
  @ValueSource(strings = {"auto", "bf16", "f16"})
  void every_reference_output_of_the_fixture_is_reproduced(String dtype) {
    Path folder = Fixtures.folder("qwen2_vl");
    ParityReport r = FixtureParity.check(folder, null, null, "cpu", dtype);
    r.checks().forEach(c -> System.out.println("qwen2_vl [" + dtype + "]: " + c.line()));
    System.out.println("qwen2_vl [" + dtype + "]: " + r.summary());
    assertEquals(0, r.failed(), r.summary());
    List<ParityCheck> skipped = r.checks().stream().filter(c -> c.status() == ParityCheck.Status.SKIP).toList();
    assertTrue(skipped.isEmpty(), "not produced: " + skipped);
    assertTrue(r.passed() >= 39, r.summary());   // the 36 reference outputs and the 3 cases' position ids
  }
}
