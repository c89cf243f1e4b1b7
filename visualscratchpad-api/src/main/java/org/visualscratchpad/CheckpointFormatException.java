package org.visualscratchpad;

import java.nio.file.Path;

/**
 * A file on disk (a safetensors file, a {@code config.json}, an SAE {@code cfg.json}, a shard
 * index, a statistics file) is missing, malformed or inconsistent. The message names the file, the
 * tensor or field, and the numbers involved.
 *
 * <pre>{@code
 * jshell> throw new CheckpointFormatException(Path.of("sae/cfg.json"), "field d_sae is missing. Add it.")
 * }</pre>
 */
public class CheckpointFormatException extends ScratchpadException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  public CheckpointFormatException(Path file, String message) {
    super(file + ": " + message);
    this.file = file;
  }

  public CheckpointFormatException(Path file, String message, Throwable cause) {
    super(file + ": " + message, cause);
    this.file = file;
  }

  /** The offending file, as given by the caller (may be relative). */
  public Path file() {
    return file;
  }
}
