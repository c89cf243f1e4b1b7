package org.visualscratchpad.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.visualscratchpad.samples.demo.DemoSaeBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vsp demo sae}: trains the demo's SAE on the ShapesWorld vision tower and its latent statistics. */
@Command(name = "sae", mixinStandardHelpOptions = true,
    description = "Train the ShapesWorld SAE (vision tower, the layer the projector reads) and its latent statistics.")
public final class DemoSaeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "The ShapesWorld model folder.")
  Path model;

  @Option(names = "--sae-out", required = true, paramLabel = "DIR", description = "Where the SAE goes (SAELens layout).")
  Path saeOut;

  @Option(names = "--stats-out", required = true, paramLabel = "DIR", description = "Where the statistics go.")
  Path statsOut;

  @Option(names = "--steps", description = "Training steps (default: the shipped run's).")
  Integer steps;

  @Override
  public Integer call() {
    DemoSaeBuilder.Options o = DemoSaeBuilder.Options.shipped();
    if (steps != null) {
      o = new DemoSaeBuilder.Options(o.trainScenes(), o.statScenes(), o.expansion(), o.l1(), o.learningRate(), steps,
          o.batch(), o.seed());
    }
    DemoSaeBuilder.build(model, saeOut, statsOut, o, spec.commandLine().getOut());
    return 0;
  }
}
