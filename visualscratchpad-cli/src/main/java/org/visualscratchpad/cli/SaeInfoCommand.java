package org.visualscratchpad.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.visualscratchpad.sae.SaeConfig;
import org.visualscratchpad.sae.format.SaeCheckpointInfo;
import org.visualscratchpad.sae.format.SaeLoader;
import org.visualscratchpad.sae.format.SparsityStatistics;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code vsp sae info DIR|FILE}: what an SAE checkpoint holds (SAELens folder or PatchSAE .pt),
 * read without loading the SAELens weights.
 *
 * <pre>
 *   bin/vsp sae info ../shared/fixtures/hf-reference/scratchpad_llava/sae
 * </pre>
 */
@Command(name = "info", mixinStandardHelpOptions = true,
    description = "Print an SAE's architecture, d_in, d_sae, hook point, dtype, model and sparsity statistics.")
public final class SaeInfoCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR|FILE",
      description = "An SAELens folder (cfg.json + sae_weights.safetensors) or a PatchSAE .pt file.")
  Path path;

  @Override
  public Integer call() {
    SaeCheckpointInfo info = SaeLoader.inspect(path);
    SaeConfig c = info.config();
    PrintWriter out = spec.commandLine().getOut();
    row(out, "SAE", path.toString());
    row(out, "format", info.format() == org.visualscratchpad.sae.format.SaeFormat.SAELENS ? "SAELens" : "PatchSAE");
    row(out, "architecture", c.architecture().cfgName()
        + (c.architecture().usesK() ? " (k " + c.k() + ")" : ""));
    row(out, "d_in", Integer.toString(c.dIn()));
    row(out, "d_sae", String.format(Locale.ROOT, "%d (expansion %.1fx)", c.dSae(), (double) c.dSae() / c.dIn()));
    row(out, "hook point", c.hookPoint().toString());
    row(out, "dtype", c.dtype() + " (W_enc stored as " + info.storedDtype() + ")");
    row(out, "model", c.modelName().isEmpty() ? "(not recorded)" : c.modelName());
    row(out, "apply b_dec", Boolean.toString(c.applyBDecToInput()));
    if (info.sparsity().isPresent()) {
      SparsityStatistics s = info.sparsity().get();
      row(out, "sparsity", String.format(Locale.ROOT,
          "log10 firing frequency over %d latents: mean %.2f, median %.2f, min %.2f, max %.2f", s.latents(),
          s.meanLog10(), s.medianLog10(), s.minLog10(), s.maxLog10()));
      row(out, "dead latents", String.format(Locale.ROOT, "%d (%.1f %%)", s.dead(), 100.0 * s.dead() / s.latents()));
      row(out, "dense latents", String.format(Locale.ROOT, "%d fire on >= 10 %% of tokens", s.dense()));
    } else {
      row(out, "sparsity", "(no sparsity.safetensors)");
    }
    out.flush();
    return 0;
  }

  private static void row(PrintWriter out, String key, String value) {
    out.printf(Locale.ROOT, "%-14s %s%n", key, value);
  }
}
