package org.visualscratchpad.cli;

import java.util.function.Supplier;
import me.tongfei.progressbar.InteractiveConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.visualscratchpad.torch.llava.LoadProgress;

/** A progress bar (MB of weights read) while a model loads, drawn only when standard error is a terminal. */
final class LoadBar {
  private LoadBar() {}

  static <T> T load(String what, Supplier<T> load) {
    if (System.console() == null) {
      return load.get();
    }
    ProgressBar[] bar = new ProgressBar[1];
    try {
      return LoadProgress.during((done, total) -> {
        if (bar[0] == null) {
          bar[0] = new ProgressBarBuilder().setTaskName("loading " + what).setInitialMax(total >> 20).setUnit(" MB", 1)
              .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
              .setConsumer(new InteractiveConsoleProgressBarConsumer(System.err)).build();
        }
        bar[0].stepTo(done >> 20);
      }, load);
    } finally {
      if (bar[0] != null) {
        bar[0].close();
      }
    }
  }
}
