package org.visualscratchpad.sae.architecture;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeSet;
import org.visualscratchpad.InvalidInputException;

/**
 * An SAE's named tensors as an architecture reads them: a safetensors file ({@code
 * sae_weights.safetensors}), a PatchSAE state dict, or arrays in memory ({@link #of}). A missing or
 * misshaped tensor is refused by the source, with an error that names the source (the file) and
 * what it holds.
 *
 * <pre>{@code
 * jshell> SaeParameters.of(Map.of("b_enc", new float[3])).get("b_enc", 3)
 * }</pre>
 */
public interface SaeParameters {

  /** Whether the source holds tensor {@code name}. */
  boolean contains(String name);

  /**
   * Tensor {@code name} as float32, checked to have {@code shape}.
   *
   * @throws org.visualscratchpad.ScratchpadException naming the source if it is absent or has another shape
   */
  float[] get(String name, long... shape);

  /**
   * The error for tensor {@code name} of {@code shape}, which the source lacks and {@code neededFor}
   * (e.g. {@code "a jumprelu SAE"}) needs; it lists the tensors the source has.
   */
  RuntimeException missing(String name, String neededFor, long... shape);

  /**
   * Arrays in memory by name (taken over, not copied); a tensor's shape is checked by its length.
   *
   * @throws InvalidInputException (when read) if a tensor is absent or its length is not the shape's size
   */
  static SaeParameters of(Map<String, float[]> tensors) {
    return new SaeParameters() {
      @Override
      public boolean contains(String name) {
        return tensors.get(name) != null;
      }

      @Override
      public float[] get(String name, long... shape) {
        float[] t = tensors.get(name);
        if (t == null) {
          throw missing(name, null, shape);
        }
        long size = 1;
        for (long s : shape) {
          size *= s;
        }
        InvalidInputException.check(t.length == size, "%s length (%s) must equal %s elements (shape %s)", name, t.length,
            size, Arrays.toString(shape));
        return t;
      }

      @Override
      public RuntimeException missing(String name, String neededFor, long... shape) {
        return new InvalidInputException(name + " " + Arrays.toString(shape) + " is missing"
            + (neededFor == null ? "" : "; " + neededFor + " needs it") + "; given: " + new TreeSet<>(tensors.keySet()) + ".");
      }
    };
  }
}
