package org.visualscratchpad.sae.stats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.sae.DatasetStatistics;
import org.visualscratchpad.sae.SparseActivations;

/**
 * Per-latent statistics of an SAE over a dataset of images, as a streaming and mergeable
 * aggregate: feed images with {@link #add}, combine partial results of any split of the dataset with
 * {@link #merge}; any split and any merge order give identical results (sums are exact fixed-point
 * integers, maxima and top-k lists are order-free, top-k ties are broken by image id). Image ids
 * must be unique across the dataset.
 *
 * <p>For each latent {@code j}:
 *
 * <pre>
 *   imageCount(j), patchCount(j)     images / counted tokens where it fires
 *   sum(j), sumOfSquares(j), max(j)  over counted tokens
 *   meanActivation(j)                mean over all images of the image-level activation a_i(j)
 *   meanActivationWhenFiring(j)      the same over firing images only (PatchSAE's mean_acts)
 *   frequency(j)                     imageCount / images (the paper's "sparsity" axis)
 *   topImages(j)                     top-k images by a_i(j), each with its per-token mask
 *   labelEntropy(j)                  entropy (natural log) of the activation-weighted label shares
 *                                    of the top-k images; -1 when fewer than k are labelled
 *   a_i(j) = (sum of j's activation over image i's counted tokens) / (counted tokens of image i)
 * </pre>
 *
 * <p>Counted tokens are all rows of all crops, or all but each crop's CLS row ({@link
 * StatisticsOptions#includeCls()}). Dense {@code [tokens x d_sae]} activations are never built: an
 * image costs {@code O(nnz + d_sae)}.
 *
 * <pre>{@code
 * jshell> var stats = new LatentStatistics(sae.dSae(), StatisticsOptions.defaults());
 * jshell> stats.add(new ImageActivations("cat/001.jpg", "cat", List.of(sae.encode(crop))));
 * jshell> stats.topImages(42)
 * jshell> LatentStatistics all = LatentStatistics.merge(partA, partB);
 * jshell> stats.save(Path.of("stats"));  var back = LatentStatistics.load(Path.of("stats"));
 * }</pre>
 *
 * <p>Not thread-safe while adding; use one instance per worker and merge.
 */
public final class LatentStatistics implements DatasetStatistics {
  static final int SUM_SCALE_BITS = 32;
  static final int SQUARE_SCALE_BITS = 20;

  final int dSae;
  final StatisticsOptions options;
  long images;
  long tokens;
  final long[] imageCount;
  final long[] patchCount;
  final ExactSums sums;
  final ExactSums squares;
  final ExactSums imageSums;
  final float[] max;
  /** Per latent: its top images, best first (null until it fires). */
  final List<TopImage>[] top;

  // per-image scratch, reused
  private int[] colCount;
  private int[] colPtr;
  private int[] colToken;
  private float[] colValue;

  /** An empty aggregate for an SAE with {@code dSae} latents. */
  @SuppressWarnings("unchecked")
  public LatentStatistics(int dSae, StatisticsOptions options) {
    InvalidInputException.check(dSae > 0, "d_sae (%s) must be > 0", dSae);
    InvalidInputException.check(options != null, "statistics options must not be null");
    this.dSae = dSae;
    this.options = options;
    imageCount = new long[dSae];
    patchCount = new long[dSae];
    sums = new ExactSums(dSae, SUM_SCALE_BITS);
    squares = new ExactSums(dSae, SQUARE_SCALE_BITS);
    imageSums = new ExactSums(dSae, SUM_SCALE_BITS);
    max = new float[dSae];
    Arrays.fill(max, Float.NEGATIVE_INFINITY);
    top = new List[dSae];
  }

  /** Number of latents. */
  @Override
  public int dSae() {
    return dSae;
  }

  /** The counting options. */
  public StatisticsOptions options() {
    return options;
  }

  /** Images added. */
  public long images() {
    return images;
  }

  /** Counted tokens added. */
  public long tokens() {
    return tokens;
  }

  /**
   * Adds one image.
   *
   * @throws InvalidInputException if its {@code d_sae} differs, it has no counted token, or an
   *     activation lies outside the exact-sum range (|a| < 2^21 for sums of squares); nothing is
   *     added then
   */
  public void add(ImageActivations image) {
    InvalidInputException.check(image.dSae() == dSae, "image %s has d_sae %s; these statistics have d_sae %s",
        image.imageId(), image.dSae(), dSae);
    int skip = options.includeCls() ? 0 : 1;
    int tokenCount = image.tokenCount();
    int counted = 0;
    int nnz = 0;
    for (SparseActivations c : image.crops()) {
      counted += Math.max(0, c.rows() - skip);
      nnz += c.nnz();
    }
    InvalidInputException.check(counted > 0, "image %s has no counted token (%s rows, CLS %s)", image.imageId(),
        tokenCount, options.includeCls() ? "counted" : "excluded");
    // column view of the image: per latent, its (token, value) entries in token order
    if (colCount == null) {
      colCount = new int[dSae];
      colPtr = new int[dSae + 1];
    }
    Arrays.fill(colCount, 0);
    double limit = Math.sqrt(squares.limit());
    for (SparseActivations c : image.crops()) {
      for (int i = 0; i < c.nnz(); i++) {
        float v = c.valueAt(i);
        InvalidInputException.check(Math.abs(v) < limit,
            "activation (%s) of latent %s in image %s must be below %s in magnitude for exact statistics",
            v, c.latentAt(i), image.imageId(), limit);
        colCount[c.latentAt(i)]++;
      }
    }
    colPtr[0] = 0;
    for (int j = 0; j < dSae; j++) {
      colPtr[j + 1] = colPtr[j] + colCount[j];
    }
    if (colToken == null || colToken.length < nnz) {
      colToken = new int[Math.max(nnz, 1024)];
      colValue = new float[colToken.length];
    }
    int[] fill = colCount; // reused as the write cursor
    System.arraycopy(colPtr, 0, fill, 0, dSae);
    int base = 0;
    for (SparseActivations c : image.crops()) {
      for (int r = 0; r < c.rows(); r++) {
        for (int i = c.rowStart(r); i < c.rowEnd(r); i++) {
          int at = fill[c.latentAt(i)]++;
          colToken[at] = base + r;
          colValue[at] = c.valueAt(i);
        }
      }
      base += c.rows();
    }
    images++;
    tokens += counted;
    for (int j = 0; j < dSae; j++) {
      int from = colPtr[j];
      int to = colPtr[j + 1];
      if (from == to) {
        continue;
      }
      double imageSum = 0;
      int fired = 0;
      for (int at = from; at < to; at++) {
        if (skip == 1 && isCls(image, colToken[at])) {
          continue;
        }
        float v = colValue[at];
        imageSum += v;
        fired++;
        sums.add(j, v);
        squares.add(j, (double) v * v);
        if (v > max[j]) {
          max[j] = v;
        }
      }
      if (fired == 0) {
        continue;
      }
      patchCount[j] += fired;
      imageCount[j]++;
      float activation = (float) (imageSum / counted);
      imageSums.add(j, activation);
      offer(j, image, activation, from, to, tokenCount);
    }
  }

  private static boolean isCls(ImageActivations image, int token) {
    int base = 0;
    for (SparseActivations c : image.crops()) {
      if (token == base) {
        return true;
      }
      if (token < base + c.rows()) {
        return false;
      }
      base += c.rows();
    }
    return false;
  }

  private void offer(int j, ImageActivations image, float activation, int from, int to, int tokenCount) {
    List<TopImage> list = top[j];
    int k = options.topK();
    if (list != null && list.size() >= k) {
      TopImage worst = list.get(list.size() - 1);
      int c = Float.compare(activation, worst.activation());
      if (c < 0 || (c == 0 && image.imageId().compareTo(worst.imageId()) >= 0)) {
        return;
      }
    }
    PatchMask mask = PatchMask.adopt(tokenCount, Arrays.copyOfRange(colToken, from, to),
        Arrays.copyOfRange(colValue, from, to));
    insert(j, new TopImage(image.imageId(), image.label(), activation, mask));
  }

  private void insert(int j, TopImage entry) {
    List<TopImage> list = top[j];
    if (list == null) {
      list = new ArrayList<>(Math.min(options.topK(), 32));
      top[j] = list;
    }
    int at = Collections.binarySearch(list, entry, TopImage.RANKING);
    if (at >= 0) {
      throw new InvalidInputException("image id " + entry.imageId() + " was added twice (latent " + j
          + "). Image ids must be unique across the dataset and its splits.");
    }
    list.add(-at - 1, entry);
    if (list.size() > options.topK()) {
      list.remove(list.size() - 1);
    }
  }

  /**
   * The statistics of the union of the datasets behind {@code a} and {@code b} (neither is
   * changed). Associative and commutative: any split of a dataset gives identical results.
   *
   * @throws InvalidInputException if {@code d_sae} or the options differ
   */
  public static LatentStatistics merge(LatentStatistics a, LatentStatistics b) {
    InvalidInputException.check(a.dSae == b.dSae, "cannot merge statistics with d_sae %s and %s", a.dSae, b.dSae);
    InvalidInputException.check(a.options.equals(b.options), "cannot merge statistics with options %s and %s",
        a.options, b.options);
    LatentStatistics m = new LatentStatistics(a.dSae, a.options);
    m.images = a.images + b.images;
    m.tokens = a.tokens + b.tokens;
    for (int j = 0; j < a.dSae; j++) {
      m.imageCount[j] = a.imageCount[j] + b.imageCount[j];
      m.patchCount[j] = a.patchCount[j] + b.patchCount[j];
      m.max[j] = Math.max(a.max[j], b.max[j]);
      if (a.top[j] != null || b.top[j] != null) {
        List<TopImage> all = new ArrayList<>();
        if (a.top[j] != null) {
          all.addAll(a.top[j]);
        }
        if (b.top[j] != null) {
          all.addAll(b.top[j]);
        }
        all.sort(TopImage.RANKING);
        for (int i = 1; i < all.size(); i++) {
          if (all.get(i).imageId().equals(all.get(i - 1).imageId())) {
            throw new InvalidInputException("image id " + all.get(i).imageId()
                + " is in both parts of a merge. Image ids must be unique across the dataset and its splits.");
          }
        }
        m.top[j] = new ArrayList<>(all.subList(0, Math.min(all.size(), a.options.topK())));
      }
    }
    copySums(a.sums, m.sums, b.sums);
    copySums(a.squares, m.squares, b.squares);
    copySums(a.imageSums, m.imageSums, b.imageSums);
    return m;
  }

  private static void copySums(ExactSums a, ExactSums into, ExactSums b) {
    System.arraycopy(a.hi, 0, into.hi, 0, a.hi.length);
    System.arraycopy(a.lo, 0, into.lo, 0, a.lo.length);
    into.addAll(b);
  }

  /** Merges {@code other} into this aggregate in place (same result as {@link #merge}). */
  public void mergeFrom(LatentStatistics other) {
    LatentStatistics m = merge(this, other);
    images = m.images;
    tokens = m.tokens;
    System.arraycopy(m.imageCount, 0, imageCount, 0, dSae);
    System.arraycopy(m.patchCount, 0, patchCount, 0, dSae);
    System.arraycopy(m.max, 0, max, 0, dSae);
    System.arraycopy(m.top, 0, top, 0, dSae);
    copySums(m.sums, sums, new ExactSums(dSae, sums.scaleBits));
    copySums(m.squares, squares, new ExactSums(dSae, squares.scaleBits));
    copySums(m.imageSums, imageSums, new ExactSums(dSae, imageSums.scaleBits));
  }

  private void check(int latentId) {
    InvalidInputException.check(latentId >= 0 && latentId < dSae, "latent id (%s) must be less than d_sae (%s)",
        latentId, dSae);
  }

  /** Images where {@code latentId} fires on at least one counted token. */
  public long imageCount(int latentId) {
    check(latentId);
    return imageCount[latentId];
  }

  /** Counted tokens where {@code latentId} fires. */
  public long patchCount(int latentId) {
    check(latentId);
    return patchCount[latentId];
  }

  /** Sum of {@code latentId}'s activation over counted tokens. */
  public double sum(int latentId) {
    check(latentId);
    return sums.get(latentId);
  }

  /** Sum of squares of {@code latentId}'s activation over counted tokens. */
  public double sumOfSquares(int latentId) {
    check(latentId);
    return squares.get(latentId);
  }

  /** Largest activation of {@code latentId} on a counted token; 0 if it never fired. */
  public float max(int latentId) {
    check(latentId);
    return imageCount[latentId] == 0 ? 0f : max[latentId];
  }

  /** Mean image-level activation over all images (0 before any image). */
  @Override
  public float meanActivation(int latentId) {
    check(latentId);
    return images == 0 ? 0f : (float) (imageSums.get(latentId) / images);
  }

  /** Mean image-level activation over the images where it fires (PatchSAE's mean_acts; 0 if none). */
  public double meanActivationWhenFiring(int latentId) {
    check(latentId);
    return imageCount[latentId] == 0 ? 0 : imageSums.get(latentId) / imageCount[latentId];
  }

  /** Fraction of images where it fires (image-level, the paper's "sparsity" axis). */
  @Override
  public float frequency(int latentId) {
    check(latentId);
    return images == 0 ? 0f : (float) ((double) imageCount[latentId] / images);
  }

  /** Fraction of counted tokens where it fires. */
  public double patchFrequency(int latentId) {
    check(latentId);
    return tokens == 0 ? 0 : (double) patchCount[latentId] / tokens;
  }

  /** Mean activation over all counted tokens ({@code sum / tokens}). */
  public double tokenMean(int latentId) {
    check(latentId);
    return tokens == 0 ? 0 : sums.get(latentId) / tokens;
  }

  /** The top images, best first (at most {@code topK}; unmodifiable). */
  public List<TopImage> topImages(int latentId) {
    check(latentId);
    return top[latentId] == null ? List.of() : List.copyOf(top[latentId]);
  }

  /**
   * Entropy (natural log) of the activation-weighted label shares among the top images; {@code -1}
   * when fewer than {@code topK} of them carry a label.
   */
  public double labelEntropy(int latentId) {
    check(latentId);
    List<TopImage> list = top[latentId];
    if (list == null) {
      return -1;
    }
    Map<String, Double> weight = new HashMap<>();
    double total = 0;
    int labelled = 0;
    for (TopImage t : list) {
      if (t.labelled()) {
        labelled++;
        weight.merge(t.label(), (double) t.activation(), Double::sum);
        total += t.activation();
      }
    }
    if (labelled < options.topK() || total <= 0) {
      return -1;
    }
    List<String> labels = new ArrayList<>(weight.keySet());
    Collections.sort(labels);
    double h = 0;
    for (String l : labels) {
      double p = weight.get(l) / total;
      if (p > 0) {
        h -= p * Math.log(p);
      }
    }
    return h;
  }

  /** {@link #meanActivation} of every latent, length {@code d_sae}. */
  public float[] meanActivations() {
    float[] m = new float[dSae];
    for (int j = 0; j < dSae; j++) {
      m[j] = meanActivation(j);
    }
    return m;
  }

  /** {@link #frequency} of every latent, length {@code d_sae}. */
  public float[] frequencies() {
    float[] f = new float[dSae];
    for (int j = 0; j < dSae; j++) {
      f[j] = frequency(j);
    }
    return f;
  }

  /** {@link #labelEntropy} of every latent, length {@code d_sae}. */
  public float[] labelEntropies() {
    float[] e = new float[dSae];
    for (int j = 0; j < dSae; j++) {
      e[j] = (float) labelEntropy(j);
    }
    return e;
  }

  /** Writes {@code latent_stats.safetensors} and {@code latent_stats.json} into {@code dir}. */
  public void save(java.nio.file.Path dir) {
    StatisticsFiles.save(this, dir);
  }

  /**
   * Reads statistics written by {@link #save}.
   *
   * @throws org.visualscratchpad.CheckpointFormatException naming the file and field at fault
   */
  public static LatentStatistics load(java.nio.file.Path dir) {
    return StatisticsFiles.load(dir);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof LatentStatistics s)) {
      return false;
    }
    return s.dSae == dSae && s.options.equals(options) && s.images == images && s.tokens == tokens
        && Arrays.equals(s.imageCount, imageCount) && Arrays.equals(s.patchCount, patchCount)
        && Arrays.equals(s.max, max) && sameSums(s.sums, sums) && sameSums(s.squares, squares)
        && sameSums(s.imageSums, imageSums) && Arrays.equals(s.top, top);
  }

  private static boolean sameSums(ExactSums a, ExactSums b) {
    return Arrays.equals(a.hi, b.hi) && Arrays.equals(a.lo, b.lo);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Long.hashCode(images) + Arrays.hashCode(imageCount)) + Arrays.hashCode(sums.lo);
  }

  /** Sizes and the most frequent latents. */
  @Override
  public String toString() {
    int firing = 0;
    int best = -1;
    for (int j = 0; j < dSae; j++) {
      if (imageCount[j] > 0) {
        firing++;
        if (best < 0 || imageCount[j] > imageCount[best]) {
          best = j;
        }
      }
    }
    return String.format(Locale.ROOT, "LatentStatistics[d_sae %d, %d images, %d tokens, %d latents fired%s, top %d, CLS %s]",
        dSae, images, tokens, firing,
        best < 0 ? "" : String.format(Locale.ROOT, ", most frequent %d (%.3f)", best, frequency(best)),
        options.topK(), options.includeCls() ? "counted" : "excluded");
  }
}
