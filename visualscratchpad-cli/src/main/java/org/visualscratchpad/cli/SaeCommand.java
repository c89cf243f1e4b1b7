package org.visualscratchpad.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vsp sae ...}: commands on sparse autoencoders. */
@Command(name = "sae", mixinStandardHelpOptions = true, description = "Inspect and train sparse autoencoders.",
    subcommands = {SaeInfoCommand.class, SaeTrainCommand.class})
public final class SaeCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(System.out);
    return 0;
  }
}
