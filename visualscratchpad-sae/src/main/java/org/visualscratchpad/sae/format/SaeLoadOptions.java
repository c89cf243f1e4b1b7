package org.visualscratchpad.sae.format;

import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.sae.kernel.KernelChoice;

/**
 * How {@link SaeLoader} loads an SAE.
 *
 * <pre>{@code
 * jshell> SaeLoadOptions.defaults().expectingDIn(1024).withKernel(KernelChoice.SCALAR)
 * $1 ==> SaeLoadOptions[expectedDIn=1024, hookPoint=null, kernel=SCALAR]
 * }</pre>
 *
 * @param expectedDIn the width of the hook point the SAE will read (the model's {@code
 *     hidden_size}); 0 to accept any {@code d_in}
 * @param hookPoint overrides the hook point the checkpoint names (or supplies one it lacks); null to
 *     take the checkpoint's
 * @param kernel which kernel computes the SAE
 */
public record SaeLoadOptions(int expectedDIn, HookPoint hookPoint, KernelChoice kernel) {
  private static final SaeLoadOptions DEFAULTS = new SaeLoadOptions(0, null, KernelChoice.AUTO);

  public SaeLoadOptions {
    InvalidInputException.check(expectedDIn >= 0, "expected d_in (%s) must be >= 0 (0 accepts any)", expectedDIn);
    kernel = kernel == null ? KernelChoice.AUTO : kernel;
  }

  /** Any d_in, the checkpoint's hook point, the automatic kernel. */
  public static SaeLoadOptions defaults() {
    return DEFAULTS;
  }

  /** These options, requiring {@code d_in == width}. */
  public SaeLoadOptions expectingDIn(int width) {
    return new SaeLoadOptions(width, hookPoint, kernel);
  }

  /** These options with the hook point set explicitly. */
  public SaeLoadOptions withHookPoint(HookPoint hook) {
    return new SaeLoadOptions(expectedDIn, hook, kernel);
  }

  /** These options with another kernel. */
  public SaeLoadOptions withKernel(KernelChoice choice) {
    return new SaeLoadOptions(expectedDIn, hookPoint, choice);
  }
}
