package org.visualscratchpad.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vsp demo ...}: the ShapesWorld demo model (train it, measure it). */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "The ShapesWorld demo: a tiny LLaVA-layout VLM trained on generated scenes.",
    subcommands = {DemoTrainCommand.class, DemoAccuracyCommand.class, DemoScenesCommand.class, DemoSaeCommand.class, DemoRunCommand.class, DemoEvalCommand.class})
public final class DemoCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(System.out);
    return 0;
  }
}
