package org.visualscratchpad.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code vsp} command line ({@code bin/vsp}). Each subcommand is a small class in this package.
 *
 * <pre>
 *   bin/vsp --help
 *   bin/vsp sae info path/to/sae
 * </pre>
 */
@Command(
    name = "vsp",
    mixinStandardHelpOptions = true,
    versionProvider = Vsp.Version.class,
    description = "VisualScratchpad: which visual concepts a vision-language model captures and uses.",
    subcommands = {SaeCommand.class, InputsCommand.class, ServeCommand.class, ParityCommand.class, StatsCommand.class,
        HeatmapCommand.class, AskCommand.class, ClassifyCommand.class, DemoCommand.class})
public final class Vsp implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Option(names = Output.VERBOSE, description = "Show the libraries' log lines (INFO and DJL's warnings);"
      + " may be given anywhere on the line.")
  boolean verbose;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (for tests). {@code --verbose} may appear anywhere. */
  public static int run(String... args) {
    String[] rest = Output.configure(args);
    CommandLine cl = new CommandLine(new Vsp());
    cl.setExecutionExceptionHandler(new Errors());
    return cl.execute(rest);
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(System.out);
    return 0;
  }

  /** Prints project exceptions as one clear line instead of a stack trace. */
  static final class Errors implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
      if (ex instanceof org.visualscratchpad.ScratchpadException) {
        cl.getErr().println("error: " + ex.getMessage());
        return 2;
      }
      throw new IllegalStateException(ex);
    }
  }

  /** The version from the jar's manifest, or "development". */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Vsp.class.getPackage().getImplementationVersion();
      return new String[] {"vsp " + (v == null ? "development build" : v)};
    }
  }
}
