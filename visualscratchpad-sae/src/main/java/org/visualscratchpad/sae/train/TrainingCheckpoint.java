package org.visualscratchpad.sae.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.sae.architecture.SaeTypes;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.safetensors.SafetensorsWriter;

/**
 * A resumable training checkpoint: a folder in the SAELens layout (so any checkpoint is a usable
 * SAE) plus the optimiser state beside it.
 *
 * <pre>
 *   DIR/cfg.json, DIR/sae_weights.safetensors, DIR/sparsity.safetensors   the SAE (see {@link TrainedSae})
 *   DIR/training_config.json                                              the {@link TrainingConfig}
 *   DIR/trainer_state.safetensors   Adam moments m_/v_ of W_enc^T [d_sae x d_in], W_dec, b_enc, b_dec;
 *                                   rows_since_fired, fired_total [d_sae] (I64); step, tokens in metadata
 * </pre>
 *
 * <pre>{@code
 * jshell> TrainingCheckpoint.save(trainer, Path.of("run/checkpoints/step-1000"))
 * jshell> var again = TrainingCheckpoint.resume(Path.of("run/checkpoints/step-1000"))   // continues where it stopped
 * }</pre>
 */
public final class TrainingCheckpoint {
  static final String STATE_FILE = "trainer_state.safetensors";
  static final String CONFIG_FILE = "training_config.json";

  private TrainingCheckpoint() {}

  /** Writes {@code trainer}'s weights and optimiser state into {@code dir}. */
  public static void save(SaeTrainer trainer, Path dir) {
    trainer.snapshot().save(dir);
    int dIn = trainer.dIn;
    int dSae = trainer.dSae;
    new SafetensorsWriter()
        .putFloats("m_W_enc_T", trainer.mWEncT, dSae, dIn)
        .putFloats("v_W_enc_T", trainer.vWEncT, dSae, dIn)
        .putFloats("m_W_dec", trainer.mWDec, dSae, dIn)
        .putFloats("v_W_dec", trainer.vWDec, dSae, dIn)
        .putFloats("m_b_enc", trainer.mBEnc, dSae)
        .putFloats("v_b_enc", trainer.vBEnc, dSae)
        .putFloats("m_b_dec", trainer.mBDec, dIn)
        .putFloats("v_b_dec", trainer.vBDec, dIn)
        .putLongs("rows_since_fired", trainer.rowsSinceFired, dSae)
        .putLongs("fired_total", trainer.firedTotal, dSae)
        .metadata("step", Long.toString(trainer.step))
        .metadata("tokens", Long.toString(trainer.tokensSeen))
        .metadata("b_dec_initialised", Boolean.toString(trainer.decoderBiasInitialised))
        .write(dir.resolve(STATE_FILE));
    writeJson(dir.resolve(CONFIG_FILE), configJson(trainer.config));
  }

  /** Resumes the run saved in {@code dir} with its own configuration. */
  public static SaeTrainer resume(Path dir) {
    return resume(dir, readConfig(dir.resolve(CONFIG_FILE)));
  }

  /**
   * Resumes the run saved in {@code dir} under {@code config} (e.g. with more total steps); the
   * architecture and sizes must match the checkpoint's.
   *
   * @throws CheckpointFormatException if a file is missing or its tensors disagree with the config
   */
  public static SaeTrainer resume(Path dir, TrainingConfig config) {
    TrainingConfig saved = readConfig(dir.resolve(CONFIG_FILE));
    if (!saved.architecture().equals(config.architecture()) || saved.dIn() != config.dIn()
        || saved.dSae() != config.dSae() || saved.k() != config.k()) {
      throw new CheckpointFormatException(dir.resolve(CONFIG_FILE), "checkpoint (" + saved.architecture().cfgName()
          + " d_in " + saved.dIn() + " d_sae " + saved.dSae() + " k " + saved.k() + ") must match the requested run ("
          + config.architecture().cfgName() + " d_in " + config.dIn() + " d_sae " + config.dSae() + " k "
          + config.k() + "). Resume with the checkpoint's sizes or start a new run.");
    }
    SaeTrainer t = SaeTrainer.restore(config);
    int dIn = config.dIn();
    int dSae = config.dSae();
    Path weights = dir.resolve("sae_weights.safetensors");
    try (SafetensorsFile w = SafetensorsFile.open(weights)) {
      float[] wEnc = read(w, "W_enc", (long) dIn * dSae);
      for (int i = 0; i < dIn; i++) {
        for (int j = 0; j < dSae; j++) {
          t.wEncT[j * dIn + i] = wEnc[i * dSae + j];
        }
      }
      System.arraycopy(read(w, "W_dec", (long) dSae * dIn), 0, t.wDec, 0, dSae * dIn);
      System.arraycopy(read(w, "b_enc", dSae), 0, t.bEnc, 0, dSae);
      System.arraycopy(read(w, "b_dec", dIn), 0, t.bDec, 0, dIn);
    }
    Path state = dir.resolve(STATE_FILE);
    try (SafetensorsFile s = SafetensorsFile.open(state)) {
      copy(s, "m_W_enc_T", t.mWEncT);
      copy(s, "v_W_enc_T", t.vWEncT);
      copy(s, "m_W_dec", t.mWDec);
      copy(s, "v_W_dec", t.vWDec);
      copy(s, "m_b_enc", t.mBEnc);
      copy(s, "v_b_enc", t.vBEnc);
      copy(s, "m_b_dec", t.mBDec);
      copy(s, "v_b_dec", t.vBDec);
      long[] since = s.longs("rows_since_fired");
      long[] fired = s.longs("fired_total");
      if (since.length != dSae || fired.length != dSae) {
        throw new CheckpointFormatException(state, "rows_since_fired/fired_total length (" + since.length + ", "
            + fired.length + ") must equal d_sae (" + dSae + ")");
      }
      System.arraycopy(since, 0, t.rowsSinceFired, 0, dSae);
      System.arraycopy(fired, 0, t.firedTotal, 0, dSae);
      Map<String, String> meta = s.metadata();
      try {
        t.step = Long.parseLong(meta.getOrDefault("step", ""));
        t.tokensSeen = Long.parseLong(meta.getOrDefault("tokens", ""));
      } catch (NumberFormatException e) {
        throw new CheckpointFormatException(state, "metadata step/tokens (" + meta.get("step") + ", "
            + meta.get("tokens") + ") must be integers", e);
      }
      t.decoderBiasInitialised = Boolean.parseBoolean(meta.getOrDefault("b_dec_initialised", "true"));
    } catch (ScratchpadException e) {
      t.close();
      throw e;
    }
    return t;
  }

  private static float[] read(SafetensorsFile f, String name, long expected) {
    if (!f.contains(name)) {
      throw new CheckpointFormatException(f.path(), "tensor " + name + " is missing; found " + f.names()
          + ". Is this a checkpoint written by SaeTrainer?");
    }
    float[] a = f.floats(name);
    if (a.length != expected) {
      throw new CheckpointFormatException(f.path(), "tensor " + name + " has " + a.length + " elements; the config says "
          + expected + ". The checkpoint does not belong to this configuration.");
    }
    return a;
  }

  private static void copy(SafetensorsFile f, String name, float[] into) {
    System.arraycopy(read(f, name, into.length), 0, into, 0, into.length);
  }

  /** The config as JSON fields (the edge where typed config meets files). */
  static Map<String, Object> configJson(TrainingConfig c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("architecture", c.architecture().cfgName());
    m.put("d_in", c.dIn());
    m.put("d_sae", c.dSae());
    m.put("k", c.k());
    m.put("l1_coefficient", c.l1Coefficient());
    m.put("decoder_norm", c.decoderNorm().name());
    m.put("lr", c.learningRate());
    m.put("adam_beta1", c.adamBeta1());
    m.put("adam_beta2", c.adamBeta2());
    m.put("lr_warm_up_steps", c.warmupSteps());
    m.put("lr_decay_steps", c.decaySteps());
    m.put("total_steps", c.totalSteps());
    m.put("b_dec_init", c.decoderBiasInit().name());
    m.put("dead_window_tokens", c.deadWindowTokens());
    m.put("seed", c.seed());
    m.put("hook_name", c.hookPoint().toString());
    m.put("model_name", c.modelName());
    m.put("threads", c.threads());
    return m;
  }

  static TrainingConfig readConfig(Path file) {
    JsonNode n;
    try {
      n = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "cannot read the training config: " + e.getMessage()
          + ". Is this a checkpoint folder written by SaeTrainer?", e);
    }
    try {
      return new TrainingConfig(SaeTypes.parse(text(n, "architecture", file)).architecture(), integer(n, "d_in", file),
          integer(n, "d_sae", file), integer(n, "k", file), number(n, "l1_coefficient", file),
          DecoderNorm.valueOf(text(n, "decoder_norm", file)), number(n, "lr", file), number(n, "adam_beta1", file),
          number(n, "adam_beta2", file), (long) number(n, "lr_warm_up_steps", file),
          (long) number(n, "lr_decay_steps", file), (long) number(n, "total_steps", file),
          DecoderBiasInit.valueOf(text(n, "b_dec_init", file)), (long) number(n, "dead_window_tokens", file),
          (long) number(n, "seed", file), HookPoint.parse(text(n, "hook_name", file)), text(n, "model_name", file),
          integer(n, "threads", file));
    } catch (IllegalArgumentException e) {
      throw new CheckpointFormatException(file, "invalid training config: " + e.getMessage(), e);
    } catch (ScratchpadException e) {
      throw new CheckpointFormatException(file, e.getMessage(), e);
    }
  }

  private static JsonNode field(JsonNode n, String name, Path file) {
    JsonNode v = n.get(name);
    if (v == null || v.isNull()) {
      throw new CheckpointFormatException(file, "field " + name + " is missing. Re-create the checkpoint.");
    }
    return v;
  }

  private static String text(JsonNode n, String name, Path file) {
    return field(n, name, file).asText();
  }

  private static double number(JsonNode n, String name, Path file) {
    JsonNode v = field(n, name, file);
    if (!v.isNumber()) {
      throw new CheckpointFormatException(file, "field " + name + " (" + v + ") must be a number");
    }
    return v.asDouble();
  }

  private static int integer(JsonNode n, String name, Path file) {
    JsonNode v = field(n, name, file);
    if (!v.canConvertToInt()) {
      throw new CheckpointFormatException(file, "field " + name + " (" + v + ") must be an integer");
    }
    return v.asInt();
  }

  static void writeJson(Path file, Object value) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(tmp.toFile(), value);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "cannot write: " + e.getMessage(), e);
    }
  }

  static void writeText(Path file, String text) {
    try {
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "cannot write: " + e.getMessage(), e);
    }
  }
}
