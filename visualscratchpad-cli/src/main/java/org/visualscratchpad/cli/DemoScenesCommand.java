package org.visualscratchpad.cli;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.visualscratchpad.samples.shapes.Scene;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.samples.shapes.language.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vsp demo scenes}: writes generated scenes as PNGs and prints their labels and questions. */
@Command(name = "scenes", mixinStandardHelpOptions = true, description = "Write ShapesWorld scenes as PNG files with their labels.")
public final class DemoScenesCommand implements Callable<Integer> {
  @Option(names = "--out", description = "output folder (default: ${DEFAULT-VALUE})", defaultValue = "shapesworld-scenes")
  Path out;

  @Option(names = "--count", description = "number of scenes (default: ${DEFAULT-VALUE})", defaultValue = "8")
  int count;

  @Option(names = "--seed", description = "first scene seed (default: ${DEFAULT-VALUE})", defaultValue = "0")
  long seed;

  @Option(names = "--distribution", description = "TRAINING, UNIFORM or CUE_BROKEN (default: ${DEFAULT-VALUE})", defaultValue = "TRAINING")
  SceneDistribution distribution;

  @Override
  public Integer call() {
    SceneGenerator generator = new SceneGenerator();
    for (int i = 0; i < count; i++) {
      Scene scene = generator.generate(seed + i, distribution);
      Path file = out.resolve(String.format("scene-%s-%d.png", distribution.name().toLowerCase(java.util.Locale.ROOT), seed + i));
      scene.image().writePng(file);
      System.out.println(file + ": " + scene.description());
      SplittableRandom rng = new SplittableRandom(seed + i);
      for (Task task : Task.values()) {
        var qa = task.ask(scene, rng);
        System.out.println("  " + qa.question() + " -> " + qa.answer());
      }
    }
    return 0;
  }
}
