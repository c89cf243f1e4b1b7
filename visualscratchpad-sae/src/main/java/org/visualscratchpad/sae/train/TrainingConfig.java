package org.visualscratchpad.sae.train;

import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.sae.SaeArchitecture;

/**
 * Hyper-parameters of one SAE training run. {@link #paperDefaults} gives the paper's recipe
 * (VisualScratchpad A.1, after PatchSAE): vanilla ReLU SAE, 32x expansion, MSE + L1 with
 * coefficient 8e-5, Adam with learning rate 1e-4, decoder rows at unit norm, {@code b_dec} from the
 * geometric median of the first batch.
 *
 * <p>The loss of a batch of {@code B} rows is {@code mean_b ||x_hat_b - x_b||^2 + l1Coefficient *
 * mean_b sum_j h_bj w_j} with {@code w_j = 1} ({@link DecoderNorm#UNIT}) or {@code ||W_dec[j]||}
 * ({@link DecoderNorm#WEIGHTED_L1}); TopK SAEs use {@code l1Coefficient = 0}.
 *
 * <p>The learning rate rises linearly over {@code warmupSteps}, stays constant, and falls linearly
 * to zero over the last {@code decaySteps} of {@code totalSteps}.
 *
 * <pre>{@code
 * jshell> var cfg = TrainingConfig.paperDefaults(1024, HookPoint.visionResidPost(18)).withTotalSteps(20_000)
 * cfg ==> TrainingConfig[standard d_in 1024 d_sae 32768 l1 8.0E-5 lr 1.0E-4 ...]
 * }</pre>
 *
 * @param architecture {@link SaeArchitecture#STANDARD} (ReLU) or {@link SaeArchitecture#TOPK}
 * @param dIn input width
 * @param dSae number of latents
 * @param k latents kept per row (TopK only; 0 otherwise)
 * @param l1Coefficient weight of the L1 term (>= 0)
 * @param decoderNorm how decoder norms are handled
 * @param learningRate Adam's peak learning rate
 * @param adamBeta1 Adam's first-moment decay
 * @param adamBeta2 Adam's second-moment decay
 * @param warmupSteps steps of linear warm-up
 * @param decaySteps final steps of linear decay to zero
 * @param totalSteps steps of the whole run
 * @param decoderBiasInit how {@code b_dec} starts
 * @param deadWindowTokens a latent that has not fired for this many training rows counts as dead
 * @param seed seed of the weight initialisation
 * @param hookPoint where the activations were read (written to {@code cfg.json})
 * @param modelName the model the activations came from (written to {@code cfg.json})
 * @param threads worker threads (0: one per available processor)
 */
public record TrainingConfig(
    SaeArchitecture architecture,
    int dIn,
    int dSae,
    int k,
    double l1Coefficient,
    DecoderNorm decoderNorm,
    double learningRate,
    double adamBeta1,
    double adamBeta2,
    long warmupSteps,
    long decaySteps,
    long totalSteps,
    DecoderBiasInit decoderBiasInit,
    long deadWindowTokens,
    long seed,
    HookPoint hookPoint,
    String modelName,
    int threads) {

  /** The paper's L1 coefficient. */
  public static final double PAPER_L1 = 8e-5;
  /** The paper's learning rate. */
  public static final double PAPER_LEARNING_RATE = 1e-4;
  /** The paper's expansion factor. */
  public static final int PAPER_EXPANSION = 32;

  public TrainingConfig {
    InvalidInputException.check(SaeArchitecture.STANDARD.equals(architecture) || SaeArchitecture.TOPK.equals(architecture),
        "training architecture (%s) must be standard or topk", architecture);
    InvalidInputException.check(dIn > 0, "d_in (%s) must be > 0", dIn);
    InvalidInputException.check(dSae > 0, "d_sae (%s) must be > 0", dSae);
    if (SaeArchitecture.TOPK.equals(architecture)) {
      InvalidInputException.check(k > 0 && k <= dSae, "TopK k (%s) must lie in [1, d_sae = %s]", k, dSae);
    } else {
      InvalidInputException.check(k == 0, "k (%s) applies only to topk; use 0 for standard", k);
    }
    InvalidInputException.check(l1Coefficient >= 0 && Double.isFinite(l1Coefficient),
        "l1Coefficient (%s) must be finite and >= 0", l1Coefficient);
    InvalidInputException.check(decoderNorm != null, "decoderNorm must not be null");
    InvalidInputException.check(learningRate > 0 && Double.isFinite(learningRate),
        "learningRate (%s) must be finite and > 0", learningRate);
    InvalidInputException.check(adamBeta1 >= 0 && adamBeta1 < 1, "adamBeta1 (%s) must lie in [0, 1)", adamBeta1);
    InvalidInputException.check(adamBeta2 >= 0 && adamBeta2 < 1, "adamBeta2 (%s) must lie in [0, 1)", adamBeta2);
    InvalidInputException.check(totalSteps > 0, "totalSteps (%s) must be > 0", totalSteps);
    InvalidInputException.check(warmupSteps >= 0 && decaySteps >= 0 && warmupSteps + decaySteps <= totalSteps,
        "warmupSteps (%s) + decaySteps (%s) must be >= 0 and at most totalSteps (%s)",
        warmupSteps, decaySteps, totalSteps);
    InvalidInputException.check(decoderBiasInit != null, "decoderBiasInit must not be null");
    InvalidInputException.check(deadWindowTokens > 0, "deadWindowTokens (%s) must be > 0", deadWindowTokens);
    InvalidInputException.check(hookPoint != null, "hookPoint must not be null");
    InvalidInputException.check(threads >= 0, "threads (%s) must be >= 0 (0 = all processors)", threads);
    modelName = modelName == null ? "" : modelName;
  }

  /**
   * The paper's recipe for input width {@code dIn}: standard ReLU SAE, {@code d_sae = 32 d_in}, L1
   * 8e-5, Adam 1e-4 (betas 0.9, 0.999), 20,000 steps with 5 % warm-up and 20 % linear decay,
   * unit-norm decoder, geometric-median {@code b_dec}, dead after 10M rows without firing, seed 42.
   */
  public static TrainingConfig paperDefaults(int dIn, HookPoint hookPoint) {
    long total = 20_000;
    return new TrainingConfig(SaeArchitecture.STANDARD, dIn, Math.multiplyExact(dIn, PAPER_EXPANSION), 0,
        PAPER_L1, DecoderNorm.UNIT, PAPER_LEARNING_RATE, 0.9, 0.999, total / 20, total / 5, total,
        DecoderBiasInit.GEOMETRIC_MEDIAN, 10_000_000L, 42L, hookPoint, "", 0);
  }

  /** This config with another number of latents. */
  public TrainingConfig withDSae(int newDSae) {
    return new TrainingConfig(architecture, dIn, newDSae, k, l1Coefficient, decoderNorm, learningRate, adamBeta1,
        adamBeta2, warmupSteps, decaySteps, totalSteps, decoderBiasInit, deadWindowTokens, seed, hookPoint,
        modelName, threads);
  }

  /** This config as a TopK SAE keeping {@code newK} latents per row (and no L1 term). */
  public TrainingConfig withTopK(int newK) {
    return new TrainingConfig(SaeArchitecture.TOPK, dIn, dSae, newK, 0.0, decoderNorm, learningRate, adamBeta1,
        adamBeta2, warmupSteps, decaySteps, totalSteps, decoderBiasInit, deadWindowTokens, seed, hookPoint,
        modelName, threads);
  }

  /** This config with another L1 coefficient and decoder-norm handling. */
  public TrainingConfig withL1(double coefficient, DecoderNorm norm) {
    return new TrainingConfig(architecture, dIn, dSae, k, coefficient, norm, learningRate, adamBeta1, adamBeta2,
        warmupSteps, decaySteps, totalSteps, decoderBiasInit, deadWindowTokens, seed, hookPoint, modelName,
        threads);
  }

  /** This config with another peak learning rate. */
  public TrainingConfig withLearningRate(double rate) {
    return new TrainingConfig(architecture, dIn, dSae, k, l1Coefficient, decoderNorm, rate, adamBeta1, adamBeta2,
        warmupSteps, decaySteps, totalSteps, decoderBiasInit, deadWindowTokens, seed, hookPoint, modelName,
        threads);
  }

  /** This config with another schedule: {@code total} steps, warm-up and final decay lengths. */
  public TrainingConfig withSchedule(long total, long warmup, long decay) {
    return new TrainingConfig(architecture, dIn, dSae, k, l1Coefficient, decoderNorm, learningRate, adamBeta1,
        adamBeta2, warmup, decay, total, decoderBiasInit, deadWindowTokens, seed, hookPoint, modelName, threads);
  }

  /** This config with {@code total} steps, keeping 5 % warm-up and 20 % decay. */
  public TrainingConfig withTotalSteps(long total) {
    return withSchedule(total, total / 20, total / 5);
  }

  /** This config with another {@code b_dec} initialisation. */
  public TrainingConfig withDecoderBiasInit(DecoderBiasInit init) {
    return new TrainingConfig(architecture, dIn, dSae, k, l1Coefficient, decoderNorm, learningRate, adamBeta1,
        adamBeta2, warmupSteps, decaySteps, totalSteps, init, deadWindowTokens, seed, hookPoint, modelName,
        threads);
  }

  /** This config with another dead-latent window (in training rows). */
  public TrainingConfig withDeadWindowTokens(long window) {
    return new TrainingConfig(architecture, dIn, dSae, k, l1Coefficient, decoderNorm, learningRate, adamBeta1,
        adamBeta2, warmupSteps, decaySteps, totalSteps, decoderBiasInit, window, seed, hookPoint, modelName,
        threads);
  }

  /** This config with another seed. */
  public TrainingConfig withSeed(long newSeed) {
    return new TrainingConfig(architecture, dIn, dSae, k, l1Coefficient, decoderNorm, learningRate, adamBeta1,
        adamBeta2, warmupSteps, decaySteps, totalSteps, decoderBiasInit, deadWindowTokens, newSeed, hookPoint,
        modelName, threads);
  }

  /** This config with the model name written to {@code cfg.json}. */
  public TrainingConfig withModelName(String name) {
    return new TrainingConfig(architecture, dIn, dSae, k, l1Coefficient, decoderNorm, learningRate, adamBeta1,
        adamBeta2, warmupSteps, decaySteps, totalSteps, decoderBiasInit, deadWindowTokens, seed, hookPoint, name,
        threads);
  }

  /** This config with another number of worker threads (0: all processors). */
  public TrainingConfig withThreads(int count) {
    return new TrainingConfig(architecture, dIn, dSae, k, l1Coefficient, decoderNorm, learningRate, adamBeta1,
        adamBeta2, warmupSteps, decaySteps, totalSteps, decoderBiasInit, deadWindowTokens, seed, hookPoint,
        modelName, count);
  }

  /** The learning rate at 0-based {@code step}: linear warm-up, constant, linear decay to zero. */
  public double learningRateAt(long step) {
    if (warmupSteps > 0 && step < warmupSteps) {
      return learningRate * (step + 1) / warmupSteps;
    }
    long decayStart = totalSteps - decaySteps;
    if (decaySteps > 0 && step >= decayStart) {
      return learningRate * Math.max(0.0, (double) (totalSteps - step) / decaySteps);
    }
    return learningRate;
  }

  /** The worker thread count actually used. */
  public int effectiveThreads() {
    return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT,
        "TrainingConfig[%s%s d_in %d d_sae %d l1 %s (%s) lr %s warmup %d decay %d steps %d b_dec %s seed %d hook %s]",
        architecture.cfgName(), k > 0 ? " k " + k : "", dIn, dSae, l1Coefficient, decoderNorm, learningRate,
        warmupSteps, decaySteps, totalSteps, decoderBiasInit, seed, hookPoint);
  }
}
