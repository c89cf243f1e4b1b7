package org.visualscratchpad.cli;

import java.util.ArrayList;
import java.util.List;
import me.tongfei.progressbar.InteractiveConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarConsumer;

/**
 * What {@code vsp} prints besides its results: quiet by default (warnings from this project only; no
 * DJL CUDA probing warnings, no INFO lines from DJL, Jetty or Javalin), everything with {@code
 * --verbose}; progress bars only on a terminal, so a redirected log holds no cursor codes.
 */
final class Output {
  static final String VERBOSE = "--verbose";

  private Output() {}

  /**
   * Sets the log levels (SLF4J simple logger, read when the first logger is made, so call this first)
   * and returns {@code args} without {@code --verbose}, which may appear anywhere on the line.
   * Levels the user set with {@code -Dorg.slf4j.simpleLogger...} are kept.
   */
  static String[] configure(String[] args) {
    List<String> rest = new ArrayList<>();
    boolean verbose = false;
    for (String a : args) {
      if (VERBOSE.equals(a)) {
        verbose = true;
      } else {
        rest.add(a);
      }
    }
    if (verbose) {
      setDefault("org.slf4j.simpleLogger.defaultLogLevel", "info");
    } else {
      setDefault("org.slf4j.simpleLogger.defaultLogLevel", "warn");
      // DJL warns on every CPU-only machine that it found no CUDA driver; its INFO lines name native files
      setDefault("org.slf4j.simpleLogger.log.ai.djl", "error");
    }
    return rest.toArray(String[]::new);
  }

  private static void setDefault(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /** True when the output goes to an interactive terminal (not a file or a pipe). */
  static boolean onTerminal() {
    java.io.Console console = System.console();
    if (console == null || "dumb".equals(System.getenv("TERM"))) {
      return false;
    }
    try {
      // JDK 22+: System.console() is non-null even when redirected; isTerminal() tells
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;  // JDK 17-21: a console exists only on a terminal
    }
  }

  /** Where a progress bar draws: standard error on a terminal, nowhere otherwise. */
  static ProgressBarConsumer progressConsumer() {
    if (onTerminal()) {
      return new InteractiveConsoleProgressBarConsumer(System.err);
    }
    return new ProgressBarConsumer() {
      @Override
      public int getMaxRenderedLength() {
        return 80;
      }

      @Override
      public void accept(String rendered) {
        // off a terminal: no bar
      }

      @Override
      public void close() {
        // nothing to release
      }
    };
  }
}
