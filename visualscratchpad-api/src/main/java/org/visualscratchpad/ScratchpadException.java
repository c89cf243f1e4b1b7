package org.visualscratchpad;

/**
 * Root of every exception this library throws on purpose.
 *
 * <p>All are unchecked. Messages follow one shape: {@code <subject> (<value>) must <constraint>[;
 * <what is available>]. <how to fix>}, and name the file, tensor or field involved. A call that
 * throws leaves the loaded model, the SAE and earlier results usable.
 *
 * <pre>{@code
 * jshell> try { HookPoint.parse("vision.blocks.x.hook_resid_post"); }
 *    ...> catch (ScratchpadException e) { System.out.println(e.getMessage()); }
 * }</pre>
 */
public class ScratchpadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ScratchpadException(String message) {
    super(message);
  }

  public ScratchpadException(String message, Throwable cause) {
    super(message, cause);
  }
}
