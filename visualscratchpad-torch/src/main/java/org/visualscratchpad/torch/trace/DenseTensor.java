package org.visualscratchpad.torch.trace;

import java.util.Arrays;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * An immutable n-dimensional float32 tensor in plain Java (row-major), named after Hugging Face's
 * outputs in a {@link Trace}: what leaves a native scope when more than two axes matter (pixel
 * values {@code [crops, 3, H, W]}, attention probabilities {@code [B, heads, q, k]}).
 *
 * <pre>{@code
 * jshell> var t = DenseTensor.of(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6})
 * t ==> DenseTensor[2, 3] [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
 * jshell> t.asMatrix()   // FloatMatrix[2 x 3]
 * }</pre>
 *
 * <p>Immutable and thread-safe: factories copy their input (except {@link #adopt}), accessors copy
 * their output.
 */
public final class DenseTensor {
  private final long[] shape;
  private final float[] data;

  private DenseTensor(long[] shape, float[] data) {
    long n = 1;
    for (long d : shape) {
      InvalidInputException.check(d >= 0, "tensor dimension (%s) must not be negative", d);
      n *= d;
    }
    InvalidInputException.check(n == data.length, "tensor data length (%s) must equal the product of shape %s (%s)",
        data.length, Arrays.toString(shape), n);
    this.shape = shape;
    this.data = data;
  }

  /** A tensor holding copies of {@code shape} and {@code data}. */
  public static DenseTensor of(long[] shape, float[] data) {
    return new DenseTensor(shape.clone(), data.clone());
  }

  /** A tensor that takes ownership of {@code data}; for producers that just filled it. */
  public static DenseTensor adopt(long[] shape, float[] data) {
    return new DenseTensor(shape.clone(), data);
  }

  /** A 2-D tensor with the matrix's values. */
  public static DenseTensor of(FloatMatrix m) {
    return new DenseTensor(new long[] {m.rows(), m.cols()}, m.toArray());
  }

  /** A copy of the shape. */
  public long[] shape() {
    return shape.clone();
  }

  /** Number of axes. */
  public int rank() {
    return shape.length;
  }

  /** Size of axis {@code axis}. */
  public long dim(int axis) {
    return shape[axis];
  }

  /** Number of entries. */
  public int size() {
    return data.length;
  }

  /** The entry at flat (row-major) index {@code flatIndex}. */
  public float at(int flatIndex) {
    return data[flatIndex];
  }

  /** A copy of the values, row-major. */
  public float[] toArray() {
    return data.clone();
  }

  /** The values viewed as {@code [numel / last, last]} (a copy). */
  public FloatMatrix asMatrix() {
    int cols = shape.length == 0 ? 1 : (int) shape[shape.length - 1];
    int rows = cols == 0 ? 0 : data.length / cols;
    return FloatMatrix.of(rows, cols, data);
  }

  /** Sub-tensor {@code index} along the first axis (e.g. one crop of {@code [crops, 3, H, W]}). */
  public DenseTensor slice(int index) {
    InvalidInputException.check(shape.length >= 1 && index >= 0 && index < shape[0],
        "index (%s) must lie in [0, %s)", index, shape.length == 0 ? 0 : shape[0]);
    int inner = data.length / (int) shape[0];
    return new DenseTensor(Arrays.copyOfRange(shape, 1, shape.length),
        Arrays.copyOfRange(data, index * inner, (index + 1) * inner));
  }

  /** Copies sub-tensor {@code index} along the first axis into {@code dst} at {@code offset}, without a copy of its own. */
  public void copySliceInto(int index, float[] dst, int offset) {
    InvalidInputException.check(shape.length >= 1 && index >= 0 && index < shape[0],
        "index (%s) must lie in [0, %s)", index, shape.length == 0 ? 0 : shape[0]);
    int inner = data.length / (int) shape[0];
    System.arraycopy(data, index * inner, dst, offset, inner);
  }

  /** Sub-tensor {@code [from, to)} along the first axis. */
  public DenseTensor range(int from, int to) {
    InvalidInputException.check(shape.length >= 1 && 0 <= from && from <= to && to <= shape[0],
        "range [%s, %s) must lie in [0, %s]", from, to, shape.length == 0 ? 0 : shape[0]);
    int inner = shape[0] == 0 ? 0 : data.length / (int) shape[0];
    long[] s = shape.clone();
    s[0] = to - from;
    return new DenseTensor(s, Arrays.copyOfRange(data, from * inner, to * inner));
  }

  /** The same values under another shape with the same number of entries. */
  public DenseTensor reshape(long... newShape) {
    return new DenseTensor(newShape.clone(), data);
  }

  /** Largest absolute difference to {@code other}; the shapes must have the same number of entries. */
  public double maxAbsDiff(DenseTensor other) {
    InvalidInputException.check(other.data.length == data.length, "tensors of shapes %s and %s must have as many entries",
        Arrays.toString(shape), Arrays.toString(other.shape));
    double max = 0;
    for (int i = 0; i < data.length; i++) {
      double d = Math.abs((double) data[i] - other.data[i]);
      if (d > max || Double.isNaN(d)) {
        max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
      }
    }
    return max;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DenseTensor t && Arrays.equals(t.shape, shape) && Arrays.equals(t.data, data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  /** Shape and the first few entries. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("DenseTensor").append(Arrays.toString(shape)).append(" [");
    for (int i = 0; i < Math.min(6, data.length); i++) {
      sb.append(i == 0 ? "" : ", ").append(data[i]);
    }
    return sb.append(data.length > 6 ? ", ...]" : "]").toString();
  }
}
