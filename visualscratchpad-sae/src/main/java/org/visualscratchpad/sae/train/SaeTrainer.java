package org.visualscratchpad.sae.train;

import java.util.Arrays;
import java.util.Iterator;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.sae.SaeArchitecture;
import org.visualscratchpad.sae.kernel.DotKernel;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * Trains a ReLU (standard) or TopK sparse autoencoder with Adam, on the CPU, with a hand-written
 * backward pass: the encoder product is dense (a Vector API kernel, scalar fallback), everything
 * after it runs over the active latents only, so a step costs {@code B d_in d_sae} multiply-adds
 * for the encoder plus {@code O(nnz d_in)} for decode and backward.
 *
 * <p>Parameters are held as SAELens names them, with the encoder stored transposed for speed:
 *
 * <pre>
 *   wEncT  [d_sae x d_in]   (= W_enc^T; W_enc is [d_in x d_sae] in the saved file)
 *   bEnc   [d_sae]
 *   wDec   [d_sae x d_in]
 *   bDec   [d_in]
 *   x_c = x - b_dec;  pre = x_c W_enc + b_enc;  h = relu(pre) | topk(relu(pre));  x_hat = h W_dec + b_dec
 * </pre>
 *
 * <p>Initialisation (seeded by {@link TrainingConfig#seed()}): decoder rows are Gaussian directions
 * of unit norm, the encoder is the decoder's transpose, {@code b_enc = 0}, {@code b_dec} from the
 * first batch ({@link TrainingConfig#decoderBiasInit()}).
 *
 * <pre>{@code
 * jshell> var trainer = SaeTrainer.create(TrainingConfig.paperDefaults(64, HookPoint.visionResidPost(0)).withTotalSteps(100))
 * jshell> StepMetrics m = trainer.step(batch)           // batch: FloatMatrix [rows x 64]
 * jshell> trainer.snapshot().save(Path.of("my-sae"))   // SAELens layout
 * }</pre>
 *
 * <p>Not thread-safe: one thread drives a trainer (each step uses {@code threads} workers inside).
 */
public final class SaeTrainer implements AutoCloseable {
  private static final int ROW_BLOCK = 64;
  private static final double ADAM_EPS = 1e-8;
  /**
   * Above this fraction of active entries, decode and backward use dense products (the 4 x 4 dot
   * kernel) instead of per-entry sparse updates; early in ReLU training about half the entries are
   * active and the dense form is several times faster, later the sparse form is.
   */
  static final double DEFAULT_DENSE_THRESHOLD = 0.03;

  /** Package-private so that tests can force either path. */
  double denseThreshold = DEFAULT_DENSE_THRESHOLD;

  final TrainingConfig config;
  final int dIn;
  final int dSae;
  final DotKernel kernel;
  private final ForkJoinPool pool;

  // Parameters and Adam moments; see the class comment for shapes.
  final float[] wEncT;
  final float[] bEnc;
  final float[] wDec;
  final float[] bDec;
  final float[] mWEncT, vWEncT, mWDec, vWDec, mBEnc, vBEnc, mBDec, vBDec;
  long step;
  long tokensSeen;
  boolean decoderBiasInitialised;
  /** Rows seen since each latent last fired. */
  final long[] rowsSinceFired;
  /** Rows in which each latent fired, over the whole run. */
  final long[] firedTotal;

  private SaeTrainer(TrainingConfig config, DotKernel kernel) {
    this.config = config;
    this.dIn = config.dIn();
    this.dSae = config.dSae();
    this.kernel = kernel;
    long size = (long) dIn * dSae;
    InvalidInputException.check(size <= Integer.MAX_VALUE - 16,
        "d_in x d_sae (%s x %s = %s) must fit in one Java array (< 2^31). Use a smaller d_sae.", dIn, dSae, size);
    int n = (int) size;
    wEncT = new float[n];
    wDec = new float[n];
    mWEncT = new float[n];
    vWEncT = new float[n];
    mWDec = new float[n];
    vWDec = new float[n];
    bEnc = new float[dSae];
    mBEnc = new float[dSae];
    vBEnc = new float[dSae];
    bDec = new float[dIn];
    mBDec = new float[dIn];
    vBDec = new float[dIn];
    rowsSinceFired = new long[dSae];
    firedTotal = new long[dSae];
    pool = new ForkJoinPool(config.effectiveThreads());
  }

  /** A fresh trainer with seeded initial weights (the fastest available kernel). */
  public static SaeTrainer create(TrainingConfig config) {
    return create(config, DotKernel.best());
  }

  static SaeTrainer create(TrainingConfig config, DotKernel kernel) {
    SaeTrainer t = new SaeTrainer(config, kernel);
    t.initialiseWeights();
    return t;
  }

  /** A trainer restored from its parts (used by {@link TrainingCheckpoint}). */
  static SaeTrainer restore(TrainingConfig config) {
    return new SaeTrainer(config, DotKernel.best());
  }

  private void initialiseWeights() {
    SplittableRandom rnd = new SplittableRandom(config.seed());
    for (int j = 0; j < dSae; j++) {
      int o = j * dIn;
      double norm = 0;
      for (int i = 0; i < dIn; i++) {
        double g = gaussian(rnd);
        wDec[o + i] = (float) g;
        norm += g * g;
      }
      float inv = (float) (1.0 / Math.sqrt(norm));
      for (int i = 0; i < dIn; i++) {
        wDec[o + i] *= inv;
      }
    }
    System.arraycopy(wDec, 0, wEncT, 0, wDec.length);
  }

  private static double gaussian(SplittableRandom rnd) {
    double u = rnd.nextDouble();
    double v = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
  }

  /** The configuration. */
  public TrainingConfig config() {
    return config;
  }

  /** Steps taken so far. */
  public long stepsTaken() {
    return step;
  }

  /** Training rows seen so far. */
  public long tokensSeen() {
    return tokensSeen;
  }

  /** The name of the dense kernel in use ({@code vector-512} or {@code scalar}). */
  public String kernelName() {
    return kernel.name();
  }

  /**
   * Trains on {@code batches} until {@link TrainingConfig#totalSteps()} steps have been taken in
   * all (counting steps of a resumed run) or the batches run out, calling {@code listener} after
   * every step.
   *
   * @return the metrics of the last step, or {@code null} if no step was taken
   */
  public StepMetrics train(Iterator<FloatMatrix> batches, TrainingListener listener) {
    StepMetrics last = null;
    while (step < config.totalSteps() && batches.hasNext()) {
      last = step(batches.next());
      listener.afterStep(this, last);
    }
    return last;
  }

  /**
   * One Adam step on {@code batch} ({@code [rows x d_in]}). The first call initialises {@code
   * b_dec} from it.
   *
   * @return the batch's metrics, measured before the update
   * @throws InvalidInputException if the width is not {@code d_in}, the batch is empty, or holds
   *     NaN or infinity (the trainer is unchanged)
   */
  public StepMetrics step(FloatMatrix batch) {
    checkBatch(batch);
    if (!decoderBiasInitialised) {
      initialiseDecoderBias(batch);
    }
    Forward f = forward(batch);
    double lr = config.learningRateAt(step);
    long t = step + 1;
    double c1 = 1 - Math.pow(config.adamBeta1(), t);
    double c2 = 1 - Math.pow(config.adamBeta2(), t);
    float stepSize = (float) (lr * Math.sqrt(c2) / c1);
    int threads = config.effectiveThreads();
    int chunk = (dSae + threads * 8 - 1) / (threads * 8);
    int chunks = (dSae + chunk - 1) / chunk;
    float[][] bDecParts = new float[chunks][];
    int[] fired = f.latentCounts;
    run(chunks, c -> {
      float[] gradEnc = new float[dIn];
      float[] gradDec = new float[dIn];
      float[] bDecPart = new float[dIn];
      int from = c * chunk;
      int to = Math.min(dSae, (c + 1) * chunk);
      float[] decChunk = null;
      float[] encChunk = null;
      if (f.dense) {
        decChunk = new float[(to - from) * dIn];
        encChunk = new float[(to - from) * dIn];
        kernel.dots(f.hT, from, to, f.gT, 0, dIn, f.rows, decChunk, dIn);
        kernel.dots(f.dPreT, from, to, f.xcT, 0, dIn, f.rows, encChunk, dIn);
      }
      for (int j = from; j < to; j++) {
        if (f.dense) {
          System.arraycopy(decChunk, (j - from) * dIn, gradDec, 0, dIn);
          System.arraycopy(encChunk, (j - from) * dIn, gradEnc, 0, dIn);
        }
        float gB = latentGradient(f, j, gradEnc, gradDec, f.dense);
        // d loss / d b_dec through x_c = x - b_dec: - gB * W_enc[:, j], with the weights before the update
        kernel.axpy(-gB, wEncT, j * dIn, bDecPart, 0, dIn);
        if (config.decoderNorm() == DecoderNorm.UNIT) {
          float along = kernel.dot(gradDec, 0, wDec, j * dIn, dIn);
          kernel.axpy(-along, wDec, j * dIn, gradDec, 0, dIn);
        }
        adam(wEncT, mWEncT, vWEncT, j * dIn, gradEnc, stepSize);
        adam(wDec, mWDec, vWDec, j * dIn, gradDec, stepSize);
        adamScalar(bEnc, mBEnc, vBEnc, j, gB, stepSize);
        if (config.decoderNorm() == DecoderNorm.UNIT) {
          normaliseRow(wDec, j);
        }
        rowsSinceFired[j] = fired[j] > 0 ? 0 : rowsSinceFired[j] + f.rows;
        firedTotal[j] += fired[j];
      }
      bDecParts[c] = bDecPart;
    });
    float[] gradBDec = f.gradBDecDirect;
    for (float[] part : bDecParts) {
      for (int i = 0; i < dIn; i++) {
        gradBDec[i] += part[i];
      }
    }
    for (int i = 0; i < dIn; i++) {
      adamScalar(bDec, mBDec, vBDec, i, gradBDec[i], stepSize);
    }
    step++;
    tokensSeen += f.rows;
    return new StepMetrics(step, tokensSeen, f.mse + config.l1Coefficient() * f.l1, f.mse, f.l1,
        (double) f.nnz / f.rows, f.explainedVariance, deadLatents(), lr);
  }

  /** Latents that have not fired in the last {@link TrainingConfig#deadWindowTokens()} rows. */
  public int deadLatents() {
    int dead = 0;
    for (long n : rowsSinceFired) {
      if (n >= config.deadWindowTokens()) {
        dead++;
      }
    }
    return dead;
  }

  private void checkBatch(FloatMatrix batch) {
    InvalidInputException.check(batch.cols() == dIn,
        "training batch width (%s) must equal d_in (%s). Were these activations read at another hook point?",
        batch.cols(), dIn);
    InvalidInputException.check(batch.rows() > 0, "training batch must have at least one row");
    InvalidInputException.check(batch.isFinite(),
        "training batch (%s rows) holds NaN or infinity. Check the activation source.", batch.rows());
  }

  /**
   * Sets {@code b_dec} from {@code sample} as {@link TrainingConfig#decoderBiasInit()} says; called
   * by the first {@link #step}, or earlier by a caller who has a larger sample.
   */
  public void initialiseDecoderBias(FloatMatrix sample) {
    checkBatch(sample);
    float[] init = switch (config.decoderBiasInit()) {
      case ZERO -> new float[dIn];
      case MEAN -> mean(sample);
      case GEOMETRIC_MEDIAN -> geometricMedian(sample, 100);
    };
    System.arraycopy(init, 0, bDec, 0, dIn);
    decoderBiasInitialised = true;
  }

  static float[] mean(FloatMatrix x) {
    double[] s = new double[x.cols()];
    float[] row = new float[x.cols()];
    for (int r = 0; r < x.rows(); r++) {
      x.copyRowInto(r, row, 0);
      for (int i = 0; i < row.length; i++) {
        s[i] += row[i];
      }
    }
    float[] m = new float[s.length];
    for (int i = 0; i < s.length; i++) {
      m[i] = (float) (s[i] / x.rows());
    }
    return m;
  }

  /** Weiszfeld's iterations from the mean, stopping when the point moves less than 1e-6 relative. */
  static float[] geometricMedian(FloatMatrix x, int maxIterations) {
    int d = x.cols();
    double[] y = new double[d];
    float[] m = mean(x);
    for (int i = 0; i < d; i++) {
      y[i] = m[i];
    }
    float[] data = x.toArray();
    for (int it = 0; it < maxIterations; it++) {
      double[] num = new double[d];
      double den = 0;
      for (int r = 0; r < x.rows(); r++) {
        double dist = 0;
        for (int i = 0; i < d; i++) {
          double diff = data[r * d + i] - y[i];
          dist += diff * diff;
        }
        double w = 1.0 / Math.max(Math.sqrt(dist), 1e-12);
        den += w;
        for (int i = 0; i < d; i++) {
          num[i] += w * data[r * d + i];
        }
      }
      double move = 0;
      double norm = 0;
      for (int i = 0; i < d; i++) {
        double next = num[i] / den;
        move += (next - y[i]) * (next - y[i]);
        norm += next * next;
        y[i] = next;
      }
      if (Math.sqrt(move) <= 1e-6 * Math.max(1.0, Math.sqrt(norm))) {
        break;
      }
    }
    float[] out = new float[d];
    for (int i = 0; i < d; i++) {
      out[i] = (float) y[i];
    }
    return out;
  }

  /** The forward pass of one batch, kept sparse, with what the backward pass needs. */
  static final class Forward {
    int rows;
    float[] xc; // [rows x d_in], x - b_dec
    float[] g; // [rows x d_in], d loss / d x_hat = 2 (x_hat - x) / rows
    int[][] ids; // per row: active latent ids, ascending
    float[][] acts; // per row: h at those ids
    float[][] dPre; // per row: d loss / d pre at those ids
    int[] latentCounts; // [d_sae]: rows where each latent fired
    float[] gradBDecDirect; // [d_in]: sum_b g_b
    long nnz;
    boolean dense; // decode and backward by dense products
    float[] hDense; // [rows x d_sae], dense path only (transient)
    float[] hT; // [d_sae x rows], dense path only
    float[] dPreT; // [d_sae x rows], dense path only
    float[] gT; // [d_in x rows], dense path only
    float[] xcT; // [d_in x rows], dense path only
    double mse;
    double l1;
    double explainedVariance;
  }

  Forward forward(FloatMatrix batch) {
    Forward f = new Forward();
    int rows = batch.rows();
    f.rows = rows;
    float[] x = batch.toArray();
    float[] xc = new float[x.length];
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < dIn; i++) {
        xc[r * dIn + i] = x[r * dIn + i] - bDec[i];
      }
    }
    f.xc = xc;
    f.g = new float[x.length];
    f.ids = new int[rows][];
    f.acts = new float[rows][];
    f.dPre = new float[rows][];
    float[] l1Weights = l1Weights();
    float l1Scale = (float) (config.l1Coefficient() / rows);
    int blocks = (rows + ROW_BLOCK - 1) / ROW_BLOCK;
    boolean topK = SaeArchitecture.TOPK.equals(config.architecture());
    // encoder: pre = x_c W_enc + b_enc, then the active entries of each row
    run(blocks, blk -> {
      int r0 = blk * ROW_BLOCK;
      int r1 = Math.min(rows, r0 + ROW_BLOCK);
      float[] pre = new float[(r1 - r0) * dSae];
      kernel.dots(xc, r0, r1, wEncT, 0, dSae, dIn, pre, dSae);
      int[] idBuf = new int[dSae];
      float[] valBuf = new float[dSae];
      for (int r = r0; r < r1; r++) {
        int o = (r - r0) * dSae;
        int n = 0;
        for (int j = 0; j < dSae; j++) {
          float p = pre[o + j] + bEnc[j];
          if (p > 0f) {
            idBuf[n] = j;
            valBuf[n++] = p;
          }
        }
        if (topK && n > config.k()) {
          n = keepLargest(idBuf, valBuf, n, config.k());
        }
        f.ids[r] = Arrays.copyOf(idBuf, n);
        f.acts[r] = Arrays.copyOf(valBuf, n);
      }
    });
    f.latentCounts = new int[dSae];
    for (int[] ids : f.ids) {
      f.nnz += ids.length;
      for (int id : ids) {
        f.latentCounts[id]++;
      }
    }
    f.dense = (double) f.nnz / ((double) rows * dSae) > denseThreshold;
    float[] xHatAll = null;
    float[] dPreAll = null;
    if (f.dense) {
      // x_hat = H W_dec as dot products of H's rows with W_dec's columns
      f.hDense = new float[Math.multiplyExact(rows, dSae)];
      for (int r = 0; r < rows; r++) {
        for (int q = 0; q < f.ids[r].length; q++) {
          f.hDense[r * dSae + f.ids[r][q]] = f.acts[r][q];
        }
      }
      float[] wDecT = transpose(wDec, dSae, dIn);
      float[] xHat = new float[rows * dIn];
      float[] h = f.hDense;
      run(blocks, blk -> {
        int r0 = blk * ROW_BLOCK;
        int r1 = Math.min(rows, r0 + ROW_BLOCK);
        float[] out = new float[(r1 - r0) * dIn];
        kernel.dots(h, r0, r1, wDecT, 0, dIn, dSae, out, dIn);
        System.arraycopy(out, 0, xHat, r0 * dIn, out.length);
      });
      xHatAll = xHat;
    }
    double[] sqErr = new double[blocks];
    double[] l1Sum = new double[blocks];
    float[] xHatDense = xHatAll;
    run(blocks, blk -> {
      int r0 = blk * ROW_BLOCK;
      int r1 = Math.min(rows, r0 + ROW_BLOCK);
      float[] xHat = new float[dIn];
      double se = 0;
      double l1 = 0;
      float scale = 2f / rows;
      for (int r = r0; r < r1; r++) {
        int[] ids = f.ids[r];
        float[] h = f.acts[r];
        System.arraycopy(bDec, 0, xHat, 0, dIn);
        if (xHatDense != null) {
          kernel.axpy(1f, xHatDense, r * dIn, xHat, 0, dIn);
        }
        for (int q = 0; q < ids.length; q++) {
          if (xHatDense == null) {
            kernel.axpy(h[q], wDec, ids[q] * dIn, xHat, 0, dIn);
          }
          l1 += (double) h[q] * l1Weights[ids[q]];
        }
        int xo = r * dIn;
        for (int i = 0; i < dIn; i++) {
          float e = xHat[i] - x[xo + i];
          se += (double) e * e;
          f.g[xo + i] = scale * e;
        }
      }
      sqErr[blk] = se;
      l1Sum[blk] = l1;
    });
    if (f.dense) {
      // dPre = G W_dec^T (all entries), kept where h is active
      float[] full = new float[Math.multiplyExact(rows, dSae)];
      run(blocks, blk -> {
        int r0 = blk * ROW_BLOCK;
        int r1 = Math.min(rows, r0 + ROW_BLOCK);
        float[] out = new float[(r1 - r0) * dSae];
        kernel.dots(f.g, r0, r1, wDec, 0, dSae, dIn, out, dSae);
        System.arraycopy(out, 0, full, r0 * dSae, out.length);
      });
      dPreAll = full;
    }
    float[] dPreDense = dPreAll;
    run(blocks, blk -> {
      int r0 = blk * ROW_BLOCK;
      int r1 = Math.min(rows, r0 + ROW_BLOCK);
      for (int r = r0; r < r1; r++) {
        int[] ids = f.ids[r];
        float[] dPre = new float[ids.length];
        for (int q = 0; q < ids.length; q++) {
          float back = dPreDense != null ? dPreDense[r * dSae + ids[q]] : kernel.dot(f.g, r * dIn, wDec, ids[q] * dIn, dIn);
          dPre[q] = back + l1Scale * l1Weights[ids[q]];
        }
        f.dPre[r] = dPre;
      }
    });
    double se = 0;
    double l1 = 0;
    for (int b = 0; b < blocks; b++) {
      se += sqErr[b];
      l1 += l1Sum[b];
    }
    f.gradBDecDirect = new float[dIn];
    for (int r = 0; r < rows; r++) {
      kernel.axpy(1f, f.g, r * dIn, f.gradBDecDirect, 0, dIn);
    }
    f.mse = se / rows;
    f.l1 = l1 / rows;
    float[] mu = mean(batch);
    double total = 0;
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < dIn; i++) {
        double d = x[r * dIn + i] - mu[i];
        total += d * d;
      }
    }
    f.explainedVariance = total > 0 ? 1 - se / total : Double.NaN;
    buildColumns(f);
    if (f.dense) {
      // operands of the per-latent gradients as rows: H^T, dPre^T [d_sae x rows], G^T, X_c^T [d_in x rows]
      f.hT = transpose(f.hDense, rows, dSae);
      f.hDense = null;
      float[] dPreT = new float[Math.multiplyExact(rows, dSae)];
      for (int j = 0; j < dSae; j++) {
        for (int at = colPtr[j]; at < colPtr[j + 1]; at++) {
          dPreT[j * rows + colRows[at]] = colDPre[at];
        }
      }
      f.dPreT = dPreT;
      f.gT = transpose(f.g, rows, dIn);
      f.xcT = transpose(f.xc, rows, dIn);
    }
    return f;
  }

  static float[] transpose(float[] a, int rows, int cols) {
    float[] t = new float[a.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = a[r * cols + c];
      }
    }
    return t;
  }

  // Column (per-latent) view of the active entries: for latent j, rows colRows[colPtr[j]..colPtr[j+1])
  private int[] colPtr;
  private int[] colRows;
  private float[] colActs;
  private float[] colDPre;

  private void buildColumns(Forward f) {
    int[] ptr = new int[dSae + 1];
    for (int j = 0; j < dSae; j++) {
      ptr[j + 1] = ptr[j] + f.latentCounts[j];
    }
    int nnz = Math.toIntExact(f.nnz);
    int[] rowsOf = new int[nnz];
    float[] actsOf = new float[nnz];
    float[] dPreOf = new float[nnz];
    int[] fill = Arrays.copyOf(ptr, dSae);
    for (int r = 0; r < f.rows; r++) {
      int[] ids = f.ids[r];
      for (int q = 0; q < ids.length; q++) {
        int at = fill[ids[q]]++;
        rowsOf[at] = r;
        actsOf[at] = f.acts[r][q];
        dPreOf[at] = f.dPre[r][q];
      }
    }
    colPtr = ptr;
    colRows = rowsOf;
    colActs = actsOf;
    colDPre = dPreOf;
  }

  /**
   * Writes latent {@code j}'s raw gradients (before any unit-norm projection) into {@code gradEnc}
   * (row j of {@code wEncT}) and {@code gradDec} (row j of {@code wDec}), and returns the gradient of
   * {@code b_enc[j]}.
   */
  float latentGradient(Forward f, int j, float[] gradEnc, float[] gradDec) {
    return latentGradient(f, j, gradEnc, gradDec, false);
  }

  /** As above; with {@code productsGiven} the dense path's products are already in the two rows. */
  private float latentGradient(Forward f, int j, float[] gradEnc, float[] gradDec, boolean productsGiven) {
    float gB = 0f;
    float hSum = 0f;
    if (f.dense) {
      if (productsGiven) {
        // gradDec = (H^T G)[j], gradEnc = (dPre^T X_c)[j], computed for the whole chunk by the caller
      } else if (colPtr[j + 1] > colPtr[j]) {
        kernel.dots(f.hT, j, j + 1, f.gT, 0, dIn, f.rows, gradDec, dIn);
        kernel.dots(f.dPreT, j, j + 1, f.xcT, 0, dIn, f.rows, gradEnc, dIn);
      } else {
        Arrays.fill(gradEnc, 0f);
        Arrays.fill(gradDec, 0f);
      }
      for (int at = colPtr[j]; at < colPtr[j + 1]; at++) {
        gB += colDPre[at];
        hSum += colActs[at];
      }
    } else {
      Arrays.fill(gradEnc, 0f);
      Arrays.fill(gradDec, 0f);
      for (int at = colPtr[j]; at < colPtr[j + 1]; at++) {
        int r = colRows[at];
        kernel.axpy(colActs[at], f.g, r * dIn, gradDec, 0, dIn);
        kernel.axpy(colDPre[at], f.xc, r * dIn, gradEnc, 0, dIn);
        gB += colDPre[at];
        hSum += colActs[at];
      }
    }
    if (config.decoderNorm() == DecoderNorm.WEIGHTED_L1 && hSum > 0f) {
      float norm = (float) Math.sqrt(kernel.dot(wDec, j * dIn, wDec, j * dIn, dIn));
      if (norm > 0f) {
        kernel.axpy((float) (config.l1Coefficient() * hSum / f.rows) / norm, wDec, j * dIn, gradDec, 0, dIn);
      }
    }
    return gB;
  }

  private float[] l1Weights() {
    float[] w = new float[dSae];
    if (config.decoderNorm() == DecoderNorm.WEIGHTED_L1) {
      for (int j = 0; j < dSae; j++) {
        w[j] = (float) Math.sqrt(kernel.dot(wDec, j * dIn, wDec, j * dIn, dIn));
      }
    } else {
      Arrays.fill(w, 1f);
    }
    return w;
  }

  /**
   * Keeps the {@code k} largest of the first {@code n} values (ties: lower id), compacted in place in
   * ascending id order; returns k. Linear time: a quickselect finds the k-th largest value.
   */
  static int keepLargest(int[] ids, float[] vals, int n, int k) {
    float[] work = java.util.Arrays.copyOf(vals, n);
    float kth = select(work, 0, n - 1, n - k); // the k-th largest = (n-k)-th smallest
    int above = 0;
    for (int q = 0; q < n; q++) {
      if (vals[q] > kth) {
        above++;
      }
    }
    int tiesToKeep = k - above;
    int w = 0;
    for (int q = 0; q < n; q++) {
      float v = vals[q];
      if (v > kth || (v == kth && tiesToKeep-- > 0)) {
        ids[w] = ids[q];
        vals[w++] = v;
      }
    }
    return w;
  }

  /** The {@code rank}-th smallest of {@code a[lo..hi]} (0-based within the whole array); reorders {@code a}. */
  private static float select(float[] a, int lo, int hi, int rank) {
    while (lo < hi) {
      float pivot = a[(lo + hi) >>> 1];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (a[i] < pivot) {
          i++;
        }
        while (a[j] > pivot) {
          j--;
        }
        if (i <= j) {
          float t = a[i];
          a[i++] = a[j];
          a[j--] = t;
        }
      }
      if (rank <= j) {
        hi = j;
      } else if (rank >= i) {
        lo = i;
      } else {
        return a[rank];
      }
    }
    return a[lo];
  }

  private void adam(float[] p, float[] m, float[] v, int off, float[] grad, float stepSize) {
    float b1 = (float) config.adamBeta1();
    float b2 = (float) config.adamBeta2();
    for (int i = 0; i < grad.length; i++) {
      float gr = grad[i];
      float mi = b1 * m[off + i] + (1 - b1) * gr;
      float vi = b2 * v[off + i] + (1 - b2) * gr * gr;
      m[off + i] = mi;
      v[off + i] = vi;
      p[off + i] -= stepSize * mi / ((float) Math.sqrt(vi) + (float) ADAM_EPS);
    }
  }

  private void adamScalar(float[] p, float[] m, float[] v, int i, float gr, float stepSize) {
    float b1 = (float) config.adamBeta1();
    float b2 = (float) config.adamBeta2();
    m[i] = b1 * m[i] + (1 - b1) * gr;
    v[i] = b2 * v[i] + (1 - b2) * gr * gr;
    p[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) + (float) ADAM_EPS);
  }

  private void normaliseRow(float[] w, int j) {
    float norm = (float) Math.sqrt(kernel.dot(w, j * dIn, w, j * dIn, dIn));
    if (norm > 0f) {
      float inv = 1f / norm;
      for (int i = 0; i < dIn; i++) {
        w[j * dIn + i] *= inv;
      }
    }
  }

  private void run(int tasks, java.util.function.IntConsumer body) {
    if (tasks == 1 || pool.getParallelism() == 1) {
      for (int t = 0; t < tasks; t++) {
        body.accept(t);
      }
      return;
    }
    pool.submit(() -> IntStream.range(0, tasks).parallel().forEach(body)).join();
  }

  /**
   * An immutable copy of the current weights as a trained SAE (with the log10 firing frequency of
   * each latent over the rows since it last fired, if known).
   */
  public TrainedSae snapshot() {
    return TrainedSae.fromTrainer(this);
  }

  /** Stops the worker threads. */
  @Override
  public void close() {
    pool.shutdown();
  }

  @Override
  public String toString() {
    return "SaeTrainer[" + config + ", step " + step + ", tokens " + tokensSeen + ", kernel " + kernel.name() + "]";
  }
}
