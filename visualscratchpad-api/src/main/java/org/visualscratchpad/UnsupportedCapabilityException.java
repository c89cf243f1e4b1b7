package org.visualscratchpad;

/**
 * The loaded model cannot do what was asked: {@code ask} on a CLIP model (it generates no text),
 * {@code classify} on a LLaVA model (it has no CLIP text tower). The caller chose the wrong call or
 * the wrong checkpoint; nothing was run and nothing changed. {@link
 * org.visualscratchpad.scratchpad.Scratchpad#capabilities()} says beforehand what a scratchpad can do.
 *
 * <pre>{@code
 * jshell> clipPad.ask(image, "What is it?")   // throws UnsupportedCapabilityException
 * }</pre>
 */
public class UnsupportedCapabilityException extends ScratchpadException {
  private static final long serialVersionUID = 1L;

  public UnsupportedCapabilityException(String message) {
    super(message);
  }
}
