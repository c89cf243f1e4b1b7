package org.visualscratchpad.torch.cpu;

import java.util.Arrays;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * The residual stream of a vision tower for one call on the CPU engine: every crop's rows stacked into one
 * {@code [rows, d]} float array (crop {@code c} at rows {@code [offset(c), offset(c) + rows(c))}), and which
 * image and which crop of that image each crop is. Crops of a CLIP or SigLIP tower have the same number of rows;
 * a tower that takes whole images of varying size (Qwen2-VL) gives each its own count.
 *
 * <p>A {@link CpuVisionTower} updates {@link #data()} in place, layer by layer, and may keep per-call buffers in
 * {@link #scratch}. Not thread-safe: one call's value.
 */
public final class VisionStream {
  private float[] x;
  private final int d;
  private final int[] rows;
  private final int[] offsets;
  private final int[] image;
  private final int[] cropInImage;
  /** Buffers the tower keeps for this call (reused by every layer), or null. */
  public Object scratch;

  /**
   * @param x {@code [sum(rows), d]}
   * @param d the stream's width
   * @param rows rows of each crop
   * @param image the image of each crop (in the call's image order)
   * @param cropInImage each crop's index within its image (what interventions that name patches see)
   */
  public VisionStream(float[] x, int d, int[] rows, int[] image, int[] cropInImage) {
    InvalidInputException.check(rows.length == image.length && rows.length == cropInImage.length,
        "rows (%s), image (%s) and crop (%s) entries must be as many", rows.length, image.length, cropInImage.length);
    this.d = d;
    this.rows = rows.clone();
    this.image = image.clone();
    this.cropInImage = cropInImage.clone();
    this.offsets = new int[rows.length + 1];
    for (int c = 0; c < rows.length; c++) {
      offsets[c + 1] = offsets[c] + rows[c];
    }
    InvalidInputException.check((long) offsets[rows.length] * d == x.length,
        "a stream of %s rows of width %s needs %s values; got %s", offsets[rows.length], d,
        (long) offsets[rows.length] * d, x.length);
    this.x = x;
  }

  /** A stream of {@code crops} crops of {@code rowsPerCrop} rows each. */
  public static VisionStream uniform(float[] x, int d, int crops, int rowsPerCrop, int[] image, int[] cropInImage) {
    int[] rows = new int[crops];
    Arrays.fill(rows, rowsPerCrop);
    return new VisionStream(x, d, rows, image, cropInImage);
  }

  /** A stream made of the given per-crop matrices (a stream cached at a hook), crops as in {@code like}. */
  public static VisionStream of(List<FloatMatrix> crops, VisionStream like) {
    InvalidInputException.check(crops.size() == like.crops(), "the cached stream has %s crops; the images give %s",
        crops.size(), like.crops());
    float[] x = new float[like.x.length];
    for (int c = 0; c < crops.size(); c++) {
      FloatMatrix m = crops.get(c);
      InvalidInputException.check(m.rows() == like.rows(c) && m.cols() == like.d,
          "cached crop %s is [%s x %s]; the images give [%s x %s]", c, m.rows(), m.cols(), like.rows(c), like.d);
      m.copyInto(x, like.offset(c) * like.d);
    }
    return new VisionStream(x, like.d, like.rows, like.image, like.cropInImage);
  }

  /** The stacked rows, {@code [totalRows, width]}. */
  public float[] data() {
    return x;
  }

  /** Replaces the stacked rows (same size). */
  public void set(float[] values) {
    InvalidInputException.check(values.length == x.length, "a stream of %s values cannot take %s", x.length,
        values.length);
    this.x = values;
  }

  public int width() {
    return d;
  }

  public int crops() {
    return rows.length;
  }

  /** Rows of crop {@code c}. */
  public int rows(int c) {
    return rows[c];
  }

  /** First row of crop {@code c}. */
  public int offset(int c) {
    return offsets[c];
  }

  public int totalRows() {
    return offsets[rows.length];
  }

  /** The image crop {@code c} belongs to. */
  public int image(int c) {
    return image[c];
  }

  /** Crop {@code c}'s index within its image. */
  public int cropInImage(int c) {
    return cropInImage[c];
  }

  /** Whether every crop has the same number of rows. */
  public boolean uniform() {
    for (int r : rows) {
      if (r != rows[0]) {
        return false;
      }
    }
    return true;
  }

  /** A copy of crop {@code c}'s rows. */
  public FloatMatrix crop(int c) {
    return FloatMatrix.adopt(rows[c], d, Arrays.copyOfRange(x, offsets[c] * d, offsets[c + 1] * d));
  }

  /** A copy of the rows (the crops' layout is shared; the scratch is not). */
  public VisionStream copy() {
    return new VisionStream(x.clone(), d, rows, image, cropInImage);
  }
}
