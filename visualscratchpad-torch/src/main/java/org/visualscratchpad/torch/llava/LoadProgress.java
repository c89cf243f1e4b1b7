package org.visualscratchpad.torch.llava;

import java.util.function.Supplier;

/**
 * Reports the progress of loading a model's weights on the CPU engine (real checkpoints take seconds
 * to tens of seconds): bytes of the checkpoint read so far and in all. A caller that wants to show it
 * (a command line on a terminal) runs the load inside {@link #during}; nothing is reported otherwise.
 *
 * <pre>{@code
 * jshell> var pad = LoadProgress.during((done, total) -> System.err.print("\r" + done * 100 / total + " %"),
 *    ...>     () -> Scratchpad.load(spec))
 * }</pre>
 */
@FunctionalInterface
public interface LoadProgress {
  /** {@code done} of {@code total} bytes of weights read. Called on the loading thread. */
  void loaded(long done, long total);

  /** Runs {@code load} on this thread with {@code listener} receiving the progress of any model load in it. */
  static <T> T during(LoadProgress listener, Supplier<T> load) {
    LoadProgress previous = Holder.CURRENT.get();
    Holder.CURRENT.set(listener);
    try {
      return load.get();
    } finally {
      Holder.CURRENT.set(previous);
    }
  }

  /** The listener of this thread, or null. */
  static LoadProgress current() {
    return Holder.CURRENT.get();
  }

  /** The thread's listener. */
  final class Holder {
    private static final ThreadLocal<LoadProgress> CURRENT = new ThreadLocal<>();

    private Holder() {}
  }
}
