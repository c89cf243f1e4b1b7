package org.visualscratchpad.torch.parity;

import java.util.Locale;

/**
 * One compared tensor of a parity run.
 *
 * @param name the reference tensor's name in the fixture
 * @param maxAbsError the largest absolute difference (NaN when skipped)
 * @param tolerance the absolute tolerance (plus {@code rtol * |reference|} where {@code rtol > 0})
 * @param rtol the relative tolerance part
 * @param status pass, fail or skipped
 * @param note what was compared or why it was skipped
 */
public record ParityCheck(String name, double maxAbsError, double tolerance, double rtol, Status status, String note) {

  /** Outcome of one check. */
  public enum Status { PASS, FAIL, SKIP }

  /** One line: name, max abs error, tolerance, ok/FAIL/skip. */
  public String line() {
    String tol = rtol > 0 ? String.format(Locale.ROOT, "%.0e+%.0e*|ref|", tolerance, rtol)
        : String.format(Locale.ROOT, "%.0e", tolerance);
    String verdict = switch (status) {
      case PASS -> "ok";
      case FAIL -> "FAIL";
      case SKIP -> "skip";
    };
    String err = Double.isNaN(maxAbsError) ? "-" : String.format(Locale.ROOT, "%.3e", maxAbsError);
    return String.format(Locale.ROOT, "%-62s max|err| %-10s tol %-14s %s%s", name, err, tol, verdict,
        note == null || note.isEmpty() ? "" : "  (" + note + ")");
  }
}
