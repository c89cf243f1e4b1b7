package org.visualscratchpad.sae.format;

import java.nio.file.Path;
import java.util.Optional;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.sae.SaeConfig;

/**
 * What an SAE checkpoint holds, read without loading its weights: format, configuration, the
 * stored dtype of {@code W_enc}, and the sparsity statistics if the checkpoint has them.
 *
 * <pre>{@code
 * jshell> SaeLoader.inspect(Path.of("sae"))
 * $1 ==> SaeCheckpointInfo[SAELENS sae: standard d_in 32 d_sae 256 at vision.blocks.1.hook_resid_post, W_enc F32, ...]
 * }</pre>
 *
 * @param source the folder or file given
 * @param format the detected layout
 * @param config the SAE configuration
 * @param storedDtype the dtype of {@code W_enc} on disk (e.g. {@code F32}, {@code BF16})
 * @param sparsity firing-frequency statistics, if a sparsity file is present
 */
public record SaeCheckpointInfo(Path source, SaeFormat format, SaeConfig config, String storedDtype,
    Optional<SparsityStatistics> sparsity) {
  public SaeCheckpointInfo {
    InvalidInputException.check(source != null && format != null && config != null,
        "source, format and config must not be null");
    storedDtype = storedDtype == null ? config.dtype() : storedDtype;
    sparsity = sparsity == null ? Optional.empty() : sparsity;
  }

  @Override
  public String toString() {
    return "SaeCheckpointInfo[" + format + " " + source + ": " + config.architecture().cfgName() + " d_in "
        + config.dIn() + " d_sae " + config.dSae() + " at " + config.hookPoint() + ", W_enc " + storedDtype
        + sparsity.map(s -> ", " + s).orElse("") + "]";
  }
}
