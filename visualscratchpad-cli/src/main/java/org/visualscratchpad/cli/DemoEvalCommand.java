package org.visualscratchpad.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.samples.demo.DemoEvaluation;
import org.visualscratchpad.samples.demo.ShippedDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vsp demo eval}: measures the paper's claims on the ShapesWorld model (shipped, or the folders
 * given): SAE quality, monosemantic latents, attention re-ranking, cluster-ablation selectivity, the
 * misleading and the hidden cue. Prints each figure and writes them as JSON.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = {"Measure the paper's claims on the ShapesWorld model: SAE quality, monosemantic latents, attention",
        "re-ranking, cluster-ablation selectivity, misleading and hidden cues. Figures as text and JSON."})
public final class DemoEvalCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", paramLabel = "DIR", description = "Model folder (default: the shipped model, SAE and statistics).")
  Path model;

  @Option(names = "--sae", paramLabel = "DIR", description = "SAE folder (with --model).")
  Path sae;

  @Option(names = "--stats", paramLabel = "DIR", description = "Latent statistics folder (with --model).")
  Path stats;

  @Option(names = "--quick", description = "Fewer scenes (the sizes the tests use).")
  boolean quick;

  @Option(names = "--seed", description = "Seed of the scene sets (default: 5).")
  Long seed;

  @Option(names = "--top-k", description = "Latents per token in the heatmap (default: 20, the paper's).")
  Integer topK;

  @Option(names = "--clusters", description = "Heatmap clusters per description (default: 5).")
  Integer clusters;

  @Option(names = "--error-term", description = "KEEP or DROP: the SAE error term in the cluster ablations (default: DROP, the paper's "
      + "reconstruction); the misleading- and hidden-cue edits always keep it.")
  org.visualscratchpad.intervention.ErrorTerm errorTerm;

  @Option(names = "--json", paramLabel = "FILE", defaultValue = "demo-eval.json",
      description = "Where to write the figures. Default: ${DEFAULT-VALUE}.")
  Path json;

  @Override
  public Integer call() throws IOException {
    ShippedDemo.Folders files;
    if (model == null) {
      InvalidInputException.check(sae == null && stats == null, "--sae and --stats need --model; without all three the shipped demo is measured");
      files = ShippedDemo.extract(Files.createTempDirectory("shapesworld-eval"));
    } else {
      InvalidInputException.check(sae != null && stats != null, "--model needs --sae and --stats as well");
      files = new ShippedDemo.Folders(model, sae, stats);
    }
    DemoEvaluation.Options o = quick ? DemoEvaluation.Options.quick() : DemoEvaluation.Options.full();
    if (seed != null) {
      o = o.withSeed(seed);
    }
    if (topK != null || clusters != null) {
      o = o.withHeatmap(topK != null ? topK : o.heatmapTopK(), clusters != null ? clusters : o.clusters());
    }
    if (errorTerm != null) {
      o = o.withErrorTerm(errorTerm);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("measuring with " + o);
    out.flush();
    DemoEvaluation.Report report = DemoEvaluation.run(files, o, out);
    out.printf(java.util.Locale.ROOT, "took %.0f s; wrote %s%n", report.seconds(), json.toAbsolutePath());
    try {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), report);
    } catch (IOException e) {
      throw new ScratchpadException("the figures could not be written to " + json + ": " + e.getMessage(), e);
    }
    return 0;
  }
}
