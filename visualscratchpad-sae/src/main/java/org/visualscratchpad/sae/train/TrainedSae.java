package org.visualscratchpad.sae.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.sae.SaeArchitecture;
import org.visualscratchpad.sae.SaeConfig;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.kernel.DotKernel;
import org.visualscratchpad.safetensors.SafetensorsWriter;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * The weights of a trained SAE, as an immutable value that saves itself in the SAELens layout:
 *
 * <pre>
 *   DIR/cfg.json                 architecture, d_in, d_sae, hook_name, apply_b_dec_to_input, dtype, k, model_name, ...
 *   DIR/sae_weights.safetensors  W_enc [d_in x d_sae], b_enc [d_sae], W_dec [d_sae x d_in], b_dec [d_in]   (float32)
 *   DIR/sparsity.safetensors     sparsity [d_sae]: log10 of each latent's firing frequency during training
 * </pre>
 *
 * <p>The SAE-format loader of this module reads such a folder back as a {@link
 * org.visualscratchpad.sae.SparseAutoencoder}. {@link #encode} is here for checks right after
 * training.
 *
 * <pre>{@code
 * jshell> TrainedSae sae = trainer.snapshot();
 * jshell> sae.save(Path.of("sae-layer18"));
 * jshell> sae.decoderDirection(5)        // float[d_in], unit norm
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class TrainedSae {
  private final SaeConfig config;
  private final float[] wEncT; // [d_sae x d_in]
  private final float[] bEnc; // [d_sae]
  private final float[] wDec; // [d_sae x d_in]
  private final float[] bDec; // [d_in]
  private final float[] log10Frequency; // [d_sae], or null
  private final long steps;
  private final long tokens;

  private TrainedSae(SaeConfig config, float[] wEncT, float[] bEnc, float[] wDec, float[] bDec,
      float[] log10Frequency, long steps, long tokens) {
    this.config = config;
    this.wEncT = wEncT;
    this.bEnc = bEnc;
    this.wDec = wDec;
    this.bDec = bDec;
    this.log10Frequency = log10Frequency;
    this.steps = steps;
    this.tokens = tokens;
  }

  static TrainedSae fromTrainer(SaeTrainer t) {
    TrainingConfig c = t.config;
    SaeConfig cfg = new SaeConfig(c.architecture(), c.dIn(), c.dSae(), c.hookPoint(), true, c.k(), "float32",
        c.modelName());
    float[] freq = null;
    if (t.tokensSeen > 0) {
      freq = new float[c.dSae()];
      for (int j = 0; j < freq.length; j++) {
        freq[j] = (float) Math.log10((double) t.firedTotal[j] / t.tokensSeen + 1e-10);
      }
    }
    return new TrainedSae(cfg, t.wEncT.clone(), t.bEnc.clone(), t.wDec.clone(), t.bDec.clone(), freq,
        t.step, t.tokensSeen);
  }

  /** The SAE's configuration ({@code apply_b_dec_to_input} is true for trained SAEs). */
  public SaeConfig config() {
    return config;
  }

  /** Training steps behind these weights. */
  public long steps() {
    return steps;
  }

  /** {@code W_enc} as SAELens stores it, {@code [d_in x d_sae]}. */
  public FloatMatrix encoderWeights() {
    int dIn = config.dIn();
    int dSae = config.dSae();
    return FloatMatrix.adopt(dIn, dSae, transpose(wEncT, dSae, dIn));
  }

  /** {@code W_dec}, {@code [d_sae x d_in]}. */
  public FloatMatrix decoderWeights() {
    return FloatMatrix.of(config.dSae(), config.dIn(), wDec);
  }

  /** {@code b_enc}, length {@code d_sae} (a copy). */
  public float[] encoderBias() {
    return bEnc.clone();
  }

  /** {@code b_dec}, length {@code d_in} (a copy). */
  public float[] decoderBias() {
    return bDec.clone();
  }

  /** Latent {@code latentId}'s decoder direction {@code W_dec[latentId]}, length {@code d_in} (a copy). */
  public float[] decoderDirection(int latentId) {
    InvalidInputException.check(latentId >= 0 && latentId < config.dSae(),
        "latent id (%s) must be less than d_sae (%s)", latentId, config.dSae());
    float[] d = new float[config.dIn()];
    System.arraycopy(wDec, latentId * config.dIn(), d, 0, d.length);
    return d;
  }

  /**
   * Encodes {@code input} ({@code [rows x d_in]}) with these weights: ReLU, or TopK keeping {@code
   * k} latents per row.
   *
   * @return {@code [rows x d_sae]}, sparse
   */
  public SparseActivations encode(FloatMatrix input) {
    int dIn = config.dIn();
    int dSae = config.dSae();
    InvalidInputException.check(input.cols() == dIn, "input width (%s) must equal d_in (%s)", input.cols(), dIn);
    float[] x = input.toArray();
    for (int r = 0; r < input.rows(); r++) {
      for (int i = 0; i < dIn; i++) {
        x[r * dIn + i] -= bDec[i];
      }
    }
    float[] pre = new float[dSae];
    int[] ids = new int[dSae];
    float[] vals = new float[dSae];
    SparseActivations.Builder b = SparseActivations.builder(dSae);
    DotKernel kernel = DotKernel.best();
    for (int r = 0; r < input.rows(); r++) {
      kernel.dots(x, r, r + 1, wEncT, 0, dSae, dIn, pre, dSae);
      int n = 0;
      for (int j = 0; j < dSae; j++) {
        float p = pre[j] + bEnc[j];
        if (p > 0f) {
          ids[n] = j;
          vals[n++] = p;
        }
      }
      if (SaeArchitecture.TOPK.equals(config.architecture()) && n > config.k()) {
        n = SaeTrainer.keepLargest(ids, vals, n, config.k());
      }
      b.addRow(ids, vals, n);
    }
    return b.build();
  }

  /**
   * Writes {@code cfg.json}, {@code sae_weights.safetensors} and (when training frequencies are
   * known) {@code sparsity.safetensors} into {@code dir}, creating it.
   *
   * @throws CheckpointFormatException if a file cannot be written (the message names it)
   */
  public void save(Path dir) {
    int dIn = config.dIn();
    int dSae = config.dSae();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new CheckpointFormatException(dir, "cannot create the SAE folder: " + e.getMessage(), e);
    }
    new SafetensorsWriter()
        .putFloats("W_enc", transpose(wEncT, dSae, dIn), dIn, dSae)
        .putFloats("b_enc", bEnc, dSae)
        .putFloats("W_dec", wDec, dSae, dIn)
        .putFloats("b_dec", bDec, dIn)
        .metadata("format", "pt")
        .write(dir.resolve("sae_weights.safetensors"));
    if (log10Frequency != null) {
      new SafetensorsWriter().putFloats("sparsity", log10Frequency, dSae).metadata("format", "pt")
          .write(dir.resolve("sparsity.safetensors"));
    }
    Path cfgFile = dir.resolve("cfg.json");
    try {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(cfgFile.toFile(), cfgJson());
    } catch (IOException e) {
      throw new CheckpointFormatException(cfgFile, "cannot write cfg.json: " + e.getMessage(), e);
    }
  }

  /** The fields of SAELens' {@code cfg.json} for this SAE. */
  public Map<String, Object> cfgJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("architecture", config.architecture().cfgName());
    m.put("d_in", config.dIn());
    m.put("d_sae", config.dSae());
    if (SaeArchitecture.TOPK.equals(config.architecture())) {
      m.put("k", config.k());
    }
    m.put("dtype", "float32");
    m.put("device", "cpu");
    m.put("model_name", config.modelName());
    m.put("hook_name", config.hookPoint().toString());
    m.put("hook_layer", config.hookPoint().layer());
    m.put("hook_head_index", null);
    m.put("activation_fn_str", SaeArchitecture.TOPK.equals(config.architecture()) ? "topk" : "relu");
    m.put("apply_b_dec_to_input", config.applyBDecToInput());
    m.put("finetuning_scaling_factor", false);
    m.put("normalize_activations", "none");
    m.put("context_size", -1);
    m.put("prepend_bos", false);
    m.put("dataset_path", "");
    m.put("sae_lens_training_version", "visualscratchpad");
    m.put("training_steps", steps);
    m.put("training_tokens", tokens);
    return m;
  }

  private static float[] transpose(float[] a, int rows, int cols) {
    float[] t = new float[a.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = a[r * cols + c];
      }
    }
    return t;
  }

  @Override
  public String toString() {
    return "TrainedSae[" + config.architecture().cfgName() + " d_in " + config.dIn() + " d_sae " + config.dSae()
        + (config.k() > 0 ? " k " + config.k() : "") + " hook " + config.hookPoint() + ", " + steps + " steps]";
  }
}
