package org.visualscratchpad.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.intervention.LatentIntervention;

/**
 * Checks of command-line arguments, run before a model is loaded or asked so that a bad argument
 * fails in a second with a message naming the option, not after a full run.
 */
final class Arguments {
  private Arguments() {}

  /** {@code value} if it is at least 1. */
  static int atLeastOne(String option, int value) {
    InvalidInputException.check(value >= 1, "%s (%s) must be at least 1", option, value);
    return value;
  }

  /** The ablation of {@code ids}, checked as an intervention (ids >= 0, each once), with the option named. */
  static LatentIntervention.Ablate ablation(String option, List<Integer> ids) {
    try {
      return LatentIntervention.ablate(List.copyOf(ids));
    } catch (InvalidInputException e) {
      throw new InvalidInputException(option + ": " + e.getMessage(), e);
    }
  }

  /** Every id is a latent of an SAE of width {@code dSae}. */
  static void latentsWithin(String option, List<Integer> ids, int dSae) {
    for (int id : ids) {
      InvalidInputException.check(id >= 0 && id < dSae,
          "%s latent id (%s) must be less than the SAE's d_sae (%s); its latents are 0..%s", option, id, dSae, dSae - 1);
    }
  }

  /** An output folder: missing (it will be created) or a folder, never a file. */
  static void outputFolder(String option, Path out) {
    if (out != null) {
      InvalidInputException.check(!Files.exists(out) || Files.isDirectory(out),
          "%s (%s) is a file; it must be a folder (new or existing). Choose another path.", option, out);
    }
  }
}
