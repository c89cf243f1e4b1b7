package org.visualscratchpad.analysis.ranking;

import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.vision.ImageTokenLocation;

/**
 * The explicit map from the language model's image tokens to SAE rows: image token {@code k}
 * carries the SAE row {@link #saeRow(int)} of crop {@link #crop(int)}.
 *
 * <p>LLaVA-1.5 ({@link #llava15}): image token {@code k} is patch {@code k} of the single crop, SAE
 * row {@code k + 1} (row 0 is CLS). LLaVA-NeXT and the other families ({@link #fromLocations}): each image
 * token names its crop and its SAE row ({@link ImageTokenLocation#saeRow()}: {@code patchIndex + 1} under a
 * CLS row, {@code patchIndex} for towers without one, as SigLIP); newline tokens have no location and are not
 * image tokens here.
 *
 * <pre>{@code
 * jshell> var map = ImageTokenRows.llava15(576)
 * map ==> ImageTokenRows[576 image tokens, 1 crop(s), token 0 -> crop 0 row 1, ...]
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class ImageTokenRows {
  private final int[] crops;
  private final int[] rows;
  private final int cropCount;

  private ImageTokenRows(int[] crops, int[] rows) {
    this.crops = crops;
    this.rows = rows;
    int max = -1;
    for (int c : crops) {
      max = Math.max(max, c);
    }
    this.cropCount = max + 1;
  }

  /**
   * LLaVA-1.5: {@code imageTokens} tokens of crop 0; image token {@code k} is SAE row {@code k + 1}.
   *
   * @throws InvalidInputException if {@code imageTokens <= 0}
   */
  public static ImageTokenRows llava15(int imageTokens) {
    InvalidInputException.check(imageTokens > 0, "imageTokens (%s) must be > 0", imageTokens);
    int[] crops = new int[imageTokens];
    int[] rows = new int[imageTokens];
    for (int k = 0; k < imageTokens; k++) {
      rows[k] = k + 1;
    }
    return new ImageTokenRows(crops, rows);
  }

  /**
   * One entry per image token in sequence order: image token {@code k} is SAE row {@code
   * locations.get(k).saeRow()} of crop {@code locations.get(k).crop()}.
   *
   * @throws InvalidInputException if the list is empty, out of order or names a negative crop/patch
   */
  public static ImageTokenRows fromLocations(List<ImageTokenLocation> locations) {
    InvalidInputException.check(!locations.isEmpty(), "image token locations must not be empty");
    int[] crops = new int[locations.size()];
    int[] rows = new int[locations.size()];
    for (int k = 0; k < crops.length; k++) {
      ImageTokenLocation loc = locations.get(k);
      InvalidInputException.check(loc.imageTokenIndex() == k,
          "image token location %s has imageTokenIndex %s; locations must be listed in image-token order", k, loc.imageTokenIndex());
      InvalidInputException.check(loc.crop() >= 0 && loc.patchIndex() >= 0 && loc.saeRow() >= 0,
          "image token %s has crop %s, patchIndex %s and SAE row %s; all must be >= 0", k, loc.crop(), loc.patchIndex(),
          loc.saeRow());
      crops[k] = loc.crop();
      rows[k] = loc.saeRow();
    }
    return new ImageTokenRows(crops, rows);
  }

  /**
   * Explicit arrays: image token {@code k} is row {@code saeRows[k]} of crop {@code crops[k]}.
   *
   * @throws InvalidInputException if the lengths differ, are 0, or an entry is negative
   */
  public static ImageTokenRows of(int[] crops, int[] saeRows) {
    InvalidInputException.check(crops.length == saeRows.length && crops.length > 0,
        "crops (%s) and saeRows (%s) must have the same, non-zero length", crops.length, saeRows.length);
    for (int k = 0; k < crops.length; k++) {
      InvalidInputException.check(crops[k] >= 0 && saeRows[k] >= 0,
          "image token %s maps to crop %s row %s; both must be >= 0", k, crops[k], saeRows[k]);
    }
    return new ImageTokenRows(crops.clone(), saeRows.clone());
  }

  /** Number of image tokens (the attention's column count). */
  public int imageTokens() {
    return rows.length;
  }

  /** Number of crops referenced (largest crop index + 1). */
  public int cropCount() {
    return cropCount;
  }

  /** The crop of image token {@code imageTokenIndex}. */
  public int crop(int imageTokenIndex) {
    return crops[imageTokenIndex];
  }

  /** The SAE row (within its crop) of image token {@code imageTokenIndex}. */
  public int saeRow(int imageTokenIndex) {
    return rows[imageTokenIndex];
  }

  @Override
  public String toString() {
    return "ImageTokenRows[" + rows.length + " image tokens, " + cropCount + " crop(s), token 0 -> crop "
        + crops[0] + " row " + rows[0] + (rows.length > 1 ? ", ...]" : "]");
  }
}
