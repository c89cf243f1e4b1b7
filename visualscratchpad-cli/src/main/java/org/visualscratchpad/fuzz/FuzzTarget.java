package org.visualscratchpad.fuzz;

import java.util.SplittableRandom;

/**
 * One reader under fuzzing: makes a bad input from a valid one and feeds it to the reader. A case
 * passes when the reader returns or throws one of the project's exceptions ({@link
 * org.visualscratchpad.ScratchpadException}); anything else, a hang or an {@link OutOfMemoryError}
 * fails it.
 */
public interface FuzzTarget extends AutoCloseable {
  /** Short name, e.g. {@code safetensors}. */
  String name();

  /** The next generated input. */
  byte[] next(SplittableRandom rnd);

  /** Feeds {@code input} to the reader. */
  void run(byte[] input) throws Exception;

  @Override
  default void close() {}
}
