package org.visualscratchpad.sae;

import java.util.Arrays;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * Sparse SAE latent activations for a block of tokens: shape {@code [rows x dSae]}, stored as
 * compressed sparse rows. Row {@code r} is token {@code r} of the encoded block. For a vision crop of a
 * tower with a CLS token (CLIP: LLaVA-1.5, LLaVA-NeXT) row 0 is CLS and row {@code k+1} is patch {@code
 * k}; a tower without one (SigLIP: LLaVA-OneVision) has no CLS row, and row {@code k} is patch {@code k};
 * Qwen2-VL's ViT has none either and orders its patches by 2 x 2 merge windows ({@code
 * ImageTokenLocation.saeRow()} says which row an image token reads, its box where the patch lies). Within a row, latent ids are
 * strictly ascending and every stored value is non-zero.
 *
 * <p>Read it without copying through {@link #rowStart}, {@link #rowEnd}, {@link #latentAt} and
 * {@link #valueAt}:
 *
 * <pre>{@code
 * jshell> var b = SparseActivations.builder(8);
 * jshell> b.addRow(new int[] {1, 5}, new float[] {0.5f, 2f}, 2); b.addRow(new int[0], new float[0], 0);
 * jshell> var acts = b.build()
 * acts ==> SparseActivations[2 x 8, nnz 2, mean L0 1.00] row 0: {5=2.0, 1=0.5} ...
 * jshell> for (int i = acts.rowStart(0); i < acts.rowEnd(0); i++) System.out.println(acts.latentAt(i) + " " + acts.valueAt(i));
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class SparseActivations {
  private final int rows;
  private final int dSae;
  private final int[] rowPtr;
  private final int[] latentIds;
  private final float[] values;

  private SparseActivations(int rows, int dSae, int[] rowPtr, int[] latentIds, float[] values) {
    this.rows = rows;
    this.dSae = dSae;
    this.rowPtr = rowPtr;
    this.latentIds = latentIds;
    this.values = values;
  }

  /**
   * A copy of the given CSR arrays, validated: {@code rowPtr} has length {@code rows + 1}, starts at
   * 0 and never decreases; ids lie in {@code [0, dSae)} and ascend strictly within a row; values are
   * finite and non-zero.
   *
   * @throws InvalidInputException if any of these fails
   */
  public static SparseActivations of(int dSae, int[] rowPtr, int[] latentIds, float[] values) {
    int rows = rowPtr.length - 1;
    InvalidInputException.check(rows >= 0 && rowPtr[0] == 0, "rowPtr must have length rows + 1 and start at 0");
    int nnz = rowPtr[rows];
    InvalidInputException.check(latentIds.length >= nnz && values.length >= nnz,
        "latentIds (%s) and values (%s) must hold rowPtr[rows] (%s) entries", latentIds.length, values.length, nnz);
    SparseActivations s = new SparseActivations(rows, dSae, rowPtr.clone(),
        Arrays.copyOf(latentIds, nnz), Arrays.copyOf(values, nnz));
    s.validate();
    return s;
  }

  /** The sparse form of a dense {@code [rows x dSae]} matrix: its non-zero entries. */
  public static SparseActivations fromDense(FloatMatrix dense) {
    Builder b = builder(dense.cols());
    int[] ids = new int[dense.cols()];
    float[] vals = new float[dense.cols()];
    float[] row = new float[dense.cols()];
    for (int r = 0; r < dense.rows(); r++) {
      dense.copyRowInto(r, row, 0);
      int n = 0;
      for (int j = 0; j < row.length; j++) {
        if (row[j] != 0f) {
          ids[n] = j;
          vals[n++] = row[j];
        }
      }
      b.addRow(ids, vals, n);
    }
    return b.build();
  }

  /** An empty value with {@code rows} rows and no active latent. */
  public static SparseActivations empty(int rows, int dSae) {
    return new SparseActivations(rows, dSae, new int[rows + 1], new int[0], new float[0]);
  }

  /** A builder that appends rows in order. */
  public static Builder builder(int dSae) {
    InvalidInputException.check(dSae > 0, "dSae (%s) must be > 0", dSae);
    return new Builder(dSae);
  }

  private void validate() {
    for (int r = 0; r < rows; r++) {
      InvalidInputException.check(rowPtr[r + 1] >= rowPtr[r], "rowPtr must not decrease (row %s)", r);
      int prev = -1;
      for (int i = rowPtr[r]; i < rowPtr[r + 1]; i++) {
        int id = latentIds[i];
        InvalidInputException.check(id > prev && id < dSae,
            "latent ids of row %s must ascend strictly within [0, dSae = %s); found %s after %s", r, dSae, id, prev);
        InvalidInputException.check(Float.isFinite(values[i]) && values[i] != 0f,
            "activation of latent %s in row %s (%s) must be finite and non-zero", id, r, values[i]);
        prev = id;
      }
    }
  }

  /** Number of rows (tokens). */
  public int rows() {
    return rows;
  }

  /** Number of latents ({@code d_sae}). */
  public int dSae() {
    return dSae;
  }

  /** Number of stored (non-zero) entries. */
  public int nnz() {
    return rowPtr[rows];
  }

  /** First storage index of row {@code row}. */
  public int rowStart(int row) {
    return rowPtr[row];
  }

  /** One past the last storage index of row {@code row}. */
  public int rowEnd(int row) {
    return rowPtr[row + 1];
  }

  /** The number of active latents (L0) of one row. */
  public int rowNnz(int row) {
    return rowPtr[row + 1] - rowPtr[row];
  }

  /** The latent id at storage index {@code index}. */
  public int latentAt(int index) {
    return latentIds[index];
  }

  /** The activation at storage index {@code index}. */
  public float valueAt(int index) {
    return values[index];
  }

  /** The activation of {@code latentId} in {@code row}, 0 if inactive (binary search). */
  public float get(int row, int latentId) {
    int i = Arrays.binarySearch(latentIds, rowPtr[row], rowPtr[row + 1], latentId);
    return i >= 0 ? values[i] : 0f;
  }

  /** The active latent ids of one row, ascending (a copy). */
  public int[] rowLatents(int row) {
    return Arrays.copyOfRange(latentIds, rowPtr[row], rowPtr[row + 1]);
  }

  /** The activations of one row, in the order of {@link #rowLatents} (a copy). */
  public float[] rowValues(int row) {
    return Arrays.copyOfRange(values, rowPtr[row], rowPtr[row + 1]);
  }

  /** Mean number of active latents per row. */
  public double meanL0() {
    return rows == 0 ? 0 : (double) nnz() / rows;
  }

  /** Fraction of the {@code rows x dSae} entries that are active. */
  public double density() {
    return rows == 0 ? 0 : (double) nnz() / ((double) rows * dSae);
  }

  /** Rows {@code [from, to)} as a new value. */
  public SparseActivations rowRange(int from, int to) {
    InvalidInputException.check(0 <= from && from <= to && to <= rows,
        "row range [%s, %s) must lie within [0, %s)", from, to, rows);
    int base = rowPtr[from];
    int[] ptr = new int[to - from + 1];
    for (int r = from; r <= to; r++) {
      ptr[r - from] = rowPtr[r] - base;
    }
    return new SparseActivations(to - from, dSae, ptr,
        Arrays.copyOfRange(latentIds, base, rowPtr[to]), Arrays.copyOfRange(values, base, rowPtr[to]));
  }

  /** The dense {@code [rows x dSae]} matrix (allocates {@code rows * dSae} floats). */
  public FloatMatrix toDense() {
    float[] d = new float[Math.multiplyExact(rows, dSae)];
    for (int r = 0; r < rows; r++) {
      for (int i = rowPtr[r]; i < rowPtr[r + 1]; i++) {
        d[r * dSae + latentIds[i]] = values[i];
      }
    }
    return FloatMatrix.adopt(rows, dSae, d);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SparseActivations s && s.rows == rows && s.dSae == dSae
        && Arrays.equals(s.rowPtr, rowPtr)
        && Arrays.equals(s.latentIds, 0, nnz(), latentIds, 0, nnz())
        && Arrays.equals(s.values, 0, nnz(), values, 0, nnz());
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(rowPtr) + Arrays.hashCode(values);
  }

  /** Shape, density and the strongest latents of the first rows. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(String.format(java.util.Locale.ROOT,
        "SparseActivations[%d x %d, nnz %d, mean L0 %.2f]", rows, dSae, nnz(), meanL0()));
    for (int r = 0; r < Math.min(rows, 2); r++) {
      Integer[] order = new Integer[rowNnz(r)];
      for (int i = 0; i < order.length; i++) {
        order[i] = rowPtr[r] + i;
      }
      Arrays.sort(order, (a, b) -> Float.compare(values[b], values[a]));
      sb.append(" row ").append(r).append(": {");
      for (int i = 0; i < Math.min(order.length, 5); i++) {
        sb.append(i == 0 ? "" : ", ").append(latentIds[order[i]]).append('=').append(values[order[i]]);
      }
      sb.append(order.length > 5 ? ", ...}" : "}");
    }
    return sb.append(rows > 2 ? " ..." : "").toString();
  }

  /** Appends rows in order; {@link #build()} hands the arrays over without copying. Not thread-safe. */
  public static final class Builder {
    private final int dSae;
    private int rows;
    private int[] rowPtr = new int[17];
    private int[] ids = new int[64];
    private float[] vals = new float[64];

    private Builder(int dSae) {
      this.dSae = dSae;
    }

    /**
     * Appends a row from the first {@code count} entries of {@code latentIds}/{@code values}: ids
     * ascending and in range, values finite and non-zero (checked at {@link #build()}).
     */
    public Builder addRow(int[] latentIds, float[] values, int count) {
      int nnz = rowPtr[rows];
      ensure(nnz + count);
      System.arraycopy(latentIds, 0, ids, nnz, count);
      System.arraycopy(values, 0, vals, nnz, count);
      if (rows + 2 > rowPtr.length) {
        rowPtr = Arrays.copyOf(rowPtr, rowPtr.length * 2);
      }
      rowPtr[++rows] = nnz + count;
      return this;
    }

    private void ensure(int capacity) {
      if (capacity > ids.length) {
        int n = Math.max(capacity, ids.length * 2);
        ids = Arrays.copyOf(ids, n);
        vals = Arrays.copyOf(vals, n);
      }
    }

    /** The built value; the builder must not be used afterwards. */
    public SparseActivations build() {
      SparseActivations s = new SparseActivations(rows, dSae, Arrays.copyOf(rowPtr, rows + 1), ids, vals);
      s.validate();
      return s;
    }
  }
}
