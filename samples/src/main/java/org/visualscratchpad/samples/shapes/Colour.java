package org.visualscratchpad.samples.shapes;

/**
 * The colours of ShapesWorld: a word and a nominal RGB value that each drawn object jitters a little.
 *
 * <pre>{@code
 * jshell> Colour.YELLOW.word()
 * $1 ==> "yellow"
 * }</pre>
 */
public enum Colour {
  RED("red", 215, 45, 40),
  GREEN("green", 45, 170, 60),
  BLUE("blue", 45, 75, 215),
  YELLOW("yellow", 230, 205, 40);

  private final String word;
  private final int red;
  private final int green;
  private final int blue;

  Colour(String word, int red, int green, int blue) {
    this.word = word;
    this.red = red;
    this.green = green;
    this.blue = blue;
  }

  /** The word for this colour in questions and answers. */
  public String word() {
    return word;
  }

  /** Nominal RGB channel {@code channel} (0 red, 1 green, 2 blue), 0-255. */
  public int channel(int channel) {
    switch (channel) {
      case 0:
        return red;
      case 1:
        return green;
      case 2:
        return blue;
      default:
        throw new IllegalArgumentException("channel (" + channel + ") must be 0, 1 or 2");
    }
  }
}
