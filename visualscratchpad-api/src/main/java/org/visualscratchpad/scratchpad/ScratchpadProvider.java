package org.visualscratchpad.scratchpad;

/**
 * The service-provider interface a backend implements (registered in {@code
 * META-INF/services/org.visualscratchpad.scratchpad.ScratchpadProvider}); {@link
 * Scratchpad#load(LoadSpec)} uses the first one found.
 */
public interface ScratchpadProvider {

  /** A short name for messages, e.g. {@code "torch"}. */
  String name();

  /**
   * Loads the model, the SAE and the statistics.
   *
   * @throws org.visualscratchpad.ScratchpadException naming the file or value at fault
   */
  Scratchpad open(LoadSpec spec);
}
