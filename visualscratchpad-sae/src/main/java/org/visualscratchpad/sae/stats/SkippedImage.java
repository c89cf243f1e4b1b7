package org.visualscratchpad.sae.stats;

/**
 * An image that a statistics run could not read and skipped, with why.
 *
 * @param path the file
 * @param reason e.g. {@code "not an image (no ImageIO reader recognised it)"}
 */
public record SkippedImage(String path, String reason) {
  @Override
  public String toString() {
    return path + ": " + reason;
  }
}
