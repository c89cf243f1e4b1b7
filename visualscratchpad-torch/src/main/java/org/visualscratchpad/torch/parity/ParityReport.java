package org.visualscratchpad.torch.parity;

import java.nio.file.Path;
import java.util.List;

/**
 * The result of checking one fixture folder: one {@link ParityCheck} per reference tensor.
 *
 * <pre>{@code
 * jshell> var r = FixtureParity.check(Path.of("../shared/fixtures/hf-reference/llava"), null, null)
 * jshell> r.failed()
 * $2 ==> 0
 * }</pre>
 *
 * @param fixture the manifest entry's name
 * @param folder the checked folder
 * @param checks the checks, in manifest order
 */
public record ParityReport(String fixture, Path folder, List<ParityCheck> checks) {
  public ParityReport {
    checks = List.copyOf(checks);
  }

  public long passed() {
    return checks.stream().filter(c -> c.status() == ParityCheck.Status.PASS).count();
  }

  public long failed() {
    return checks.stream().filter(c -> c.status() == ParityCheck.Status.FAIL).count();
  }

  public long skipped() {
    return checks.stream().filter(c -> c.status() == ParityCheck.Status.SKIP).count();
  }

  /** {@code N passed, M failed} (and the skipped count when some were skipped). */
  public String summary() {
    return passed() + " passed, " + failed() + " failed" + (skipped() > 0 ? ", " + skipped() + " skipped" : "");
  }
}
