package org.visualscratchpad.tensor;

import java.util.Arrays;
import org.visualscratchpad.InvalidInputException;

/**
 * An immutable dense {@code [rows x cols]} matrix of floats, row-major. The library's plain-Java
 * value for activations that leave a native scope: residual streams {@code [tokens x d_in]},
 * reconstructions, attention {@code [tokens x imageTokens]}.
 *
 * <p>Immutable and thread-safe: factories copy their input, accessors copy their output.
 *
 * <pre>{@code
 * jshell> var m = FloatMatrix.of(2, 3, new float[] {1, 2, 3, 4, 5, 6})
 * m ==> FloatMatrix[2 x 3] [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
 * jshell> m.get(1, 2)
 * $2 ==> 6.0
 * }</pre>
 */
public final class FloatMatrix {
  private final int rows;
  private final int cols;
  private final float[] data;

  private FloatMatrix(int rows, int cols, float[] data) {
    this.rows = rows;
    this.cols = cols;
    this.data = data;
  }

  /**
   * A matrix holding a copy of {@code data} (row-major, length {@code rows * cols}).
   *
   * @throws InvalidInputException if the length does not match the shape
   */
  public static FloatMatrix of(int rows, int cols, float[] data) {
    checkShape(rows, cols, data);
    return new FloatMatrix(rows, cols, data.clone());
  }

  /**
   * A matrix that takes ownership of {@code data} without copying it. The caller must not touch
   * the array afterwards; meant for producers inside this library that just filled it.
   */
  public static FloatMatrix adopt(int rows, int cols, float[] data) {
    checkShape(rows, cols, data);
    return new FloatMatrix(rows, cols, data);
  }

  /** A matrix of zeros. */
  public static FloatMatrix zeros(int rows, int cols) {
    checkShape(rows, cols, null);
    return new FloatMatrix(rows, cols, new float[Math.multiplyExact(rows, cols)]);
  }

  /** A matrix built from rows of equal length (copied). */
  public static FloatMatrix ofRows(float[]... rowArrays) {
    int r = rowArrays.length;
    int c = r == 0 ? 0 : rowArrays[0].length;
    float[] d = new float[Math.multiplyExact(r, c)];
    for (int i = 0; i < r; i++) {
      InvalidInputException.check(rowArrays[i].length == c,
          "row %s has length %s; every row must have length %s", i, rowArrays[i].length, c);
      System.arraycopy(rowArrays[i], 0, d, i * c, c);
    }
    return new FloatMatrix(r, c, d);
  }

  private static void checkShape(int rows, int cols, float[] data) {
    InvalidInputException.check(rows >= 0 && cols >= 0, "matrix shape [%s x %s] must not be negative", rows, cols);
    if (data != null) {
      InvalidInputException.check((long) rows * cols == data.length,
          "matrix data length (%s) must equal rows x cols (%s x %s = %s)", data.length, rows, cols, (long) rows * cols);
    }
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  /** The entry at {@code (row, col)}. */
  public float get(int row, int col) {
    if (row < 0 || row >= rows || col < 0 || col >= cols) {
      throw new IndexOutOfBoundsException(
          "(" + row + ", " + col + ") is outside a [" + rows + " x " + cols + "] matrix");
    }
    return data[row * cols + col];
  }

  /** A copy of one row, length {@code cols}. */
  public float[] row(int row) {
    return Arrays.copyOfRange(data, checkRow(row) * cols, row * cols + cols);
  }

  /** Copies one row into {@code dst} at {@code offset}. */
  public void copyRowInto(int row, float[] dst, int offset) {
    System.arraycopy(data, checkRow(row) * cols, dst, offset, cols);
  }

  /** Copies all entries (row-major) into {@code dst} at {@code offset}. */
  public void copyInto(float[] dst, int offset) {
    System.arraycopy(data, 0, dst, offset, data.length);
  }

  /** A copy of all entries, row-major. */
  public float[] toArray() {
    return data.clone();
  }

  /** Rows {@code [from, to)} as a new matrix. */
  public FloatMatrix rowRange(int from, int to) {
    InvalidInputException.check(0 <= from && from <= to && to <= rows,
        "row range [%s, %s) must lie within [0, %s)", from, to, rows);
    return new FloatMatrix(to - from, cols, Arrays.copyOfRange(data, from * cols, to * cols));
  }

  /** The largest absolute entry-wise difference to {@code other} (same shape required). */
  public float maxAbsDiff(FloatMatrix other) {
    InvalidInputException.check(rows == other.rows && cols == other.cols,
        "shapes [%s x %s] and [%s x %s] must match", rows, cols, other.rows, other.cols);
    float max = 0f;
    for (int i = 0; i < data.length; i++) {
      float d = Math.abs(data[i] - other.data[i]);
      if (d > max || Float.isNaN(d)) {
        max = d;
      }
    }
    return max;
  }

  /** True if every entry is finite (no NaN, no infinity). */
  public boolean isFinite() {
    for (float v : data) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FloatMatrix m && m.rows == rows && m.cols == cols && Arrays.equals(m.data, data);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * rows + cols) + Arrays.hashCode(data);
  }

  /** Shape and the first few entries, never the whole matrix. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("FloatMatrix[").append(rows).append(" x ").append(cols).append("] [");
    int shownRows = Math.min(rows, 3);
    for (int r = 0; r < shownRows; r++) {
      sb.append(r == 0 ? "[" : ", [");
      int shownCols = Math.min(cols, 6);
      for (int c = 0; c < shownCols; c++) {
        sb.append(c == 0 ? "" : ", ").append(data[r * cols + c]);
      }
      sb.append(cols > shownCols ? ", ...]" : "]");
    }
    return sb.append(rows > shownRows ? ", ...]" : "]").toString();
  }

  private int checkRow(int row) {
    if (row < 0 || row >= rows) {
      throw new IndexOutOfBoundsException("row " + row + " is outside [0, " + rows + ")");
    }
    return row;
  }
}
