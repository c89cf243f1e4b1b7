package org.visualscratchpad.samples.shapes;

/**
 * Where an object sits: each object of a scene occupies its own quarter of the image, so "top left"
 * names at most one object. Declared in reading order (the order descriptions list objects in).
 *
 * <pre>{@code
 * jshell> Quadrant.BOTTOM_RIGHT.words()
 * $1 ==> "bottom right"
 * }</pre>
 */
public enum Quadrant {
  TOP_LEFT("top left", 0, 0),
  TOP_RIGHT("top right", 1, 0),
  BOTTOM_LEFT("bottom left", 0, 1),
  BOTTOM_RIGHT("bottom right", 1, 1);

  private final String words;
  private final int column;
  private final int row;

  Quadrant(String words, int column, int row) {
    this.words = words;
    this.column = column;
    this.row = row;
  }

  /** The two words of this position, vertical first ("top left"). */
  public String words() {
    return words;
  }

  /** 0 for left, 1 for right. */
  public int column() {
    return column;
  }

  /** 0 for top, 1 for bottom. */
  public int row() {
    return row;
  }
}
