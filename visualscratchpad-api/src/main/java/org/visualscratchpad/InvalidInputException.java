package org.visualscratchpad;

/**
 * A value passed by the caller is out of range or inconsistent: a latent id beyond {@code d_sae},
 * a NaN steering value, an SAE whose {@code d_in} does not match its hook point, an image that is
 * not an image. Nothing was changed: the model and SAE stay usable.
 *
 * <pre>{@code
 * jshell> LatentIntervention.ablate(List.of(-1))   // throws InvalidInputException
 * }</pre>
 */
public class InvalidInputException extends ScratchpadException {
  private static final long serialVersionUID = 1L;

  public InvalidInputException(String message) {
    super(message);
  }

  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Throws when {@code condition} is false, formatting the message like Guava's {@code
   * Preconditions} ({@code %s} placeholders).
   */
  public static void check(boolean condition, String template, Object... args) {
    if (!condition) {
      throw new InvalidInputException(String.format(template, args));
    }
  }
}
