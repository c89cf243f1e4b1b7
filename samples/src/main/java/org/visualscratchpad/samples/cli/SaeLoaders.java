package org.visualscratchpad.samples.cli;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.function.Function;
import org.visualscratchpad.sae.SparseAutoencoder;

/**
 * Finds the SAE loader of visualscratchpad-sae ({@code org.visualscratchpad.sae.io.SaeLoader.load(Path)}
 * or {@code org.visualscratchpad.sae.SaeLoader.load(Path)}) when it is on the class path, so that
 * {@code vsp parity} also checks the SAE tensors of scratchpad fixtures; null when there is none.
 */
final class SaeLoaders {
  private SaeLoaders() {}

  static Function<Path, SparseAutoencoder> find() {
    for (String cls : new String[] {"org.visualscratchpad.sae.io.SaeLoader", "org.visualscratchpad.sae.SaeLoader",
        "org.visualscratchpad.sae.saelens.SaeLoader"}) {
      try {
        Method m = Class.forName(cls).getMethod("load", Path.class);
        return p -> {
          try {
            return (SparseAutoencoder) m.invoke(null, p);
          } catch (ReflectiveOperationException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            if (c instanceof RuntimeException r) {
              throw r;
            }
            throw new IllegalStateException(c);
          }
        };
      } catch (ReflectiveOperationException ignored) {
        // try the next name
      }
    }
    return null;
  }
}
