package org.visualscratchpad.samples.shapes;

/**
 * Big or small: the radius range (in pixels of the 64 x 64 scene) an object is drawn with.
 *
 * <pre>{@code
 * jshell> ObjectSize.BIG.word()
 * $1 ==> "big"
 * }</pre>
 */
public enum ObjectSize {
  BIG("big", 11, 13),
  SMALL("small", 5, 7);

  private final String word;
  private final int minRadius;
  private final int maxRadius;

  ObjectSize(String word, int minRadius, int maxRadius) {
    this.word = word;
    this.minRadius = minRadius;
    this.maxRadius = maxRadius;
  }

  public String word() {
    return word;
  }

  /** Smallest radius in pixels (inclusive). */
  public int minRadius() {
    return minRadius;
  }

  /** Largest radius in pixels (inclusive). */
  public int maxRadius() {
    return maxRadius;
  }
}
