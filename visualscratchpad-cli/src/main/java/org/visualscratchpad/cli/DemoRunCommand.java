package org.visualscratchpad.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.visualscratchpad.cli.DemoRun;
import org.visualscratchpad.samples.demo.ShippedDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vsp demo run}: the main job on the shipped ShapesWorld model. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run the whole story on the shipped ShapesWorld model: ask about a generated scene, rank the",
        "concepts per token, cluster the heatmap, ablate the cluster tied to the answer, compare; write pictures."})
public final class DemoRunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--seed", defaultValue = "3", description = "Scene seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--out", defaultValue = "demo-out", paramLabel = "DIR", description = "Output folder. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Override
  public Integer call() throws Exception {
    ShippedDemo.Folders files = ShippedDemo.extract(Files.createTempDirectory("shapesworld-demo"));
    DemoRun.run(files, seed, out, spec.commandLine().getOut());
    return 0;
  }
}
