package org.visualscratchpad.analysis.ranking;

import java.util.List;
import java.util.Locale;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.sae.SparseActivations;

/**
 * The SAE activations of an image's patches, re-indexed by image token and cached in both
 * orientations: token-major (CSR, {@code [imageTokens x dSae]}) and latent-major (CSC, {@code
 * [dSae x imageTokens]}). Built once per image; every ranking and heatmap reads it without ever
 * densifying {@code [patches x dSae]}.
 *
 * <pre>{@code
 * jshell> var acts = SparseActivations.fromDense(FloatMatrix.of(3, 4, new float[] {9, 9, 0, 0,  1, 0, 2, 0,  0, 3, 0, 0}));
 * jshell> var patches = PatchActivations.of(List.of(acts), ImageTokenRows.llava15(2))
 * patches ==> PatchActivations[2 image tokens x 4 latents, nnz 3, 3 active latents]
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class PatchActivations {
  private final int imageTokens;
  private final int dSae;
  // token-major CSR over image tokens
  private final int[] rowPtr;
  private final int[] rowLatent;
  private final float[] rowValue;
  // latent-major CSC: for latent j, entries colPtr[j]..colPtr[j+1] name image tokens and values
  private final int[] colPtr;
  private final int[] colToken;
  private final float[] colValue;

  private PatchActivations(int imageTokens, int dSae, int[] rowPtr, int[] rowLatent, float[] rowValue) {
    this.imageTokens = imageTokens;
    this.dSae = dSae;
    this.rowPtr = rowPtr;
    this.rowLatent = rowLatent;
    this.rowValue = rowValue;
    int nnz = rowPtr[imageTokens];
    colPtr = new int[dSae + 1];
    for (int i = 0; i < nnz; i++) {
      colPtr[rowLatent[i] + 1]++;
    }
    for (int j = 0; j < dSae; j++) {
      colPtr[j + 1] += colPtr[j];
    }
    colToken = new int[nnz];
    colValue = new float[nnz];
    int[] fill = java.util.Arrays.copyOf(colPtr, dSae);
    for (int k = 0; k < imageTokens; k++) {
      for (int i = rowPtr[k]; i < rowPtr[k + 1]; i++) {
        int at = fill[rowLatent[i]]++;
        colToken[at] = k;
        colValue[at] = rowValue[i];
      }
    }
  }

  /**
   * Gathers the rows of the image tokens from the crops' activations ({@code crops.get(c)} is crop
   * {@code c}: row 0 CLS, row {@code p + 1} patch {@code p}).
   *
   * @throws InvalidInputException if a crop is missing, the crops disagree on {@code dSae}, or a
   *     mapped row lies outside its crop
   */
  public static PatchActivations of(List<SparseActivations> crops, ImageTokenRows map) {
    InvalidInputException.check(crops.size() >= map.cropCount(),
        "image token map references %s crop(s) but %s crop activation block(s) were given; pass one SparseActivations per crop",
        map.cropCount(), crops.size());
    int dSae = crops.get(0).dSae();
    long nnz = 0;
    for (int c = 0; c < crops.size(); c++) {
      InvalidInputException.check(crops.get(c).dSae() == dSae,
          "crop %s has dSae %s but crop 0 has %s; all crops must come from the same SAE", c, crops.get(c).dSae(), dSae);
    }
    int n = map.imageTokens();
    for (int k = 0; k < n; k++) {
      SparseActivations a = crops.get(map.crop(k));
      int row = map.saeRow(k);
      InvalidInputException.check(row < a.rows(),
          "image token %s maps to SAE row %s of crop %s, which has only %s rows (row 0 = CLS); check the image token map",
          k, row, map.crop(k), a.rows());
      nnz += a.rowNnz(row);
    }
    InvalidInputException.check(nnz < Integer.MAX_VALUE, "too many active entries (%s)", nnz);
    int[] rowPtr = new int[n + 1];
    int[] ids = new int[(int) nnz];
    float[] vals = new float[(int) nnz];
    int at = 0;
    for (int k = 0; k < n; k++) {
      SparseActivations a = crops.get(map.crop(k));
      int row = map.saeRow(k);
      for (int i = a.rowStart(row); i < a.rowEnd(row); i++) {
        ids[at] = a.latentAt(i);
        vals[at++] = a.valueAt(i);
      }
      rowPtr[k + 1] = at;
    }
    return new PatchActivations(n, dSae, rowPtr, ids, vals);
  }

  /** LLaVA-1.5 shorthand: one crop, image token {@code k} = SAE row {@code k + 1}, all patch rows used. */
  public static PatchActivations llava15(SparseActivations crop) {
    InvalidInputException.check(crop.rows() >= 2,
        "crop activations have %s rows; expected CLS plus at least one patch", crop.rows());
    return of(List.of(crop), ImageTokenRows.llava15(crop.rows() - 1));
  }

  public int imageTokens() {
    return imageTokens;
  }

  public int dSae() {
    return dSae;
  }

  public int nnz() {
    return rowPtr[imageTokens];
  }

  /** Token-major access: first storage index of image token {@code imageTokenIndex}. */
  public int tokenStart(int imageTokenIndex) {
    return rowPtr[imageTokenIndex];
  }

  /** Token-major access: one past the last storage index of image token {@code imageTokenIndex}. */
  public int tokenEnd(int imageTokenIndex) {
    return rowPtr[imageTokenIndex + 1];
  }

  /** Token-major access: the latent id at storage index {@code index}. */
  public int tokenEntryLatent(int index) {
    return rowLatent[index];
  }

  /** Token-major access: the activation at storage index {@code index}. */
  public float tokenEntryValue(int index) {
    return rowValue[index];
  }

  /** Latent-major access: first storage index of latent {@code latentId}. */
  public int latentStart(int latentId) {
    return colPtr[latentId];
  }

  /** Latent-major access: one past the last storage index of latent {@code latentId}. */
  public int latentEnd(int latentId) {
    return colPtr[latentId + 1];
  }

  /** Latent-major access: the image token at storage index {@code index}. */
  public int latentEntryToken(int index) {
    return colToken[index];
  }

  /** Latent-major access: the activation at storage index {@code index}. */
  public float latentEntryValue(int index) {
    return colValue[index];
  }

  /** The activation of {@code latentId} on image token {@code imageTokenIndex} (0 if inactive). */
  public float get(int imageTokenIndex, int latentId) {
    int i = java.util.Arrays.binarySearch(rowLatent, rowPtr[imageTokenIndex], rowPtr[imageTokenIndex + 1], latentId);
    return i >= 0 ? rowValue[i] : 0f;
  }

  /** The activations of one latent over the image tokens, length {@code imageTokens} (a new array). */
  public float[] latentOverTokens(int latentId) {
    float[] out = new float[imageTokens];
    for (int i = colPtr[latentId]; i < colPtr[latentId + 1]; i++) {
      out[colToken[i]] = colValue[i];
    }
    return out;
  }

  /** Number of latents active on at least one image token. */
  public int activeLatents() {
    int n = 0;
    for (int j = 0; j < dSae; j++) {
      if (colPtr[j + 1] > colPtr[j]) {
        n++;
      }
    }
    return n;
  }

  // package-private raw views for the kernels of this module
  int[] colPtr() {
    return colPtr;
  }

  int[] colToken() {
    return colToken;
  }

  float[] colValue() {
    return colValue;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "PatchActivations[%d image tokens x %d latents, nnz %d, %d active latents]",
        imageTokens, dSae, nnz(), activeLatents());
  }
}
