package org.visualscratchpad.sae.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.safetensors.TensorInfo;
import org.visualscratchpad.sae.SaeConfig;
import org.visualscratchpad.sae.architecture.SaeParameters;
import org.visualscratchpad.sae.architecture.SaeType;
import org.visualscratchpad.sae.architecture.SaeTypes;
import org.visualscratchpad.sae.kernel.SaeWeights;

/** Reads SAELens folders: {@code cfg.json} (v5 flat or v6 with {@code metadata}) + safetensors weights. */
final class SaeLensFormat {
  static final String CFG = "cfg.json";
  static final String WEIGHTS = "sae_weights.safetensors";
  static final String SPARSITY = "sparsity.safetensors";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Path cfgPath;
  private final JsonNode cfg;

  private SaeLensFormat(Path dir) {
    this.dir = dir;
    this.cfgPath = dir.resolve(CFG);
    if (!Files.isRegularFile(cfgPath)) {
      throw new CheckpointFormatException(cfgPath, "is missing. An SAELens SAE folder holds cfg.json and "
          + WEIGHTS + "; point at that folder.");
    }
    try {
      JsonNode node = JSON.readTree(cfgPath.toFile());
      if (node == null || !node.isObject()) {
        throw new CheckpointFormatException(cfgPath, "must hold a JSON object; found "
            + (node == null ? "nothing" : node.getNodeType()) + ".");
      }
      this.cfg = node;
    } catch (IOException e) {
      throw new CheckpointFormatException(cfgPath, "is not valid JSON: " + e.getMessage(), e);
    }
  }

  static SaeLensFormat open(Path dir) {
    return new SaeLensFormat(dir);
  }

  /** A field at the top level or, SAELens v6 style, under {@code metadata}; null if absent or JSON null. */
  private JsonNode field(String name) {
    JsonNode v = cfg.get(name);
    if (v == null || v.isNull()) {
      JsonNode meta = cfg.get("metadata");
      v = meta == null ? null : meta.get(name);
    }
    return v == null || v.isNull() ? null : v;
  }

  private JsonNode required(String name, String what) {
    JsonNode v = field(name);
    if (v == null) {
      throw new CheckpointFormatException(cfgPath, "field " + name + " (" + what + ") is missing. Add it, e.g. \""
          + name + "\": " + example(name) + ", at the top level or under \"metadata\".");
    }
    return v;
  }

  private static String example(String name) {
    switch (name) {
      case "hook_name":
        return "\"blocks.18.hook_resid_post\"";
      case "d_in":
        return "1024";
      case "d_sae":
        return "32768";
      default:
        return "...";
    }
  }

  private int positiveInt(String name, String what) {
    JsonNode v = required(name, what);
    if (!v.canConvertToInt() || !v.isIntegralNumber() || v.intValue() <= 0) {
      throw new CheckpointFormatException(cfgPath, "field " + name + " (" + v + ") must be a positive integer ("
          + what + ").");
    }
    return v.intValue();
  }

  private String text(String name) {
    JsonNode v = field(name);
    return v == null ? null : v.asText();
  }

  /** The configuration, validated. */
  SaeConfig config(SaeLoadOptions options) {
    int dIn = positiveInt("d_in", "width of the hooked activations");
    int dSae = positiveInt("d_sae", "number of latents");
    SaeType type = architecture();
    int k = 0;
    if (type.architecture().usesK()) {
      JsonNode kNode = field("k");
      if (kNode == null) {
        JsonNode kwargs = field("activation_fn_kwargs");
        kNode = kwargs == null ? null : kwargs.get("k");
      }
      if (kNode == null || !kNode.isIntegralNumber() || kNode.intValue() <= 0 || kNode.intValue() > dSae) {
        throw new CheckpointFormatException(cfgPath, "field k (" + kNode + ") must be an integer in [1, d_sae = "
            + dSae + "] for a " + type.architecture().cfgName() + " SAE. Add \"k\": 32 (or activation_fn_kwargs.k).");
      }
      k = kNode.intValue();
    }
    String norm = text("normalize_activations");
    if (norm != null && !norm.equalsIgnoreCase("none")) {
      throw new CheckpointFormatException(cfgPath, "field normalize_activations (" + norm + ") must be none: "
          + "this library feeds the SAE the raw hooked activations. Use an SAE trained without activation "
          + "normalisation, or fold its scaling factor into W_enc/b_dec and set it to none.");
    }
    JsonNode fsf = field("finetuning_scaling_factor");
    if (fsf != null && fsf.asBoolean(false)) {
      throw new CheckpointFormatException(cfgPath, "field finetuning_scaling_factor (true) is not supported. "
          + "Fold the scaling factor into W_dec and set it to false.");
    }
    JsonNode apply = field("apply_b_dec_to_input");
    boolean applyBDec = apply == null || apply.asBoolean(true);
    HookPoint hook = options.hookPoint() != null ? options.hookPoint() : hookPoint();
    String dtype = text("dtype");
    String model = text("model_name");
    return new SaeConfig(type.architecture(), dIn, dSae, hook, applyBDec, k, dtype == null ? "float32" : dtype,
        model == null ? "" : model);
  }

  private SaeType architecture() {
    String arch = text("architecture");
    String act = text("activation_fn_str");
    if (act == null) {
      act = text("activation_fn");
    }
    if (arch == null || arch.equalsIgnoreCase("standard")) {
      // SAELens v5 spells topk as architecture standard + activation_fn_str topk
      if (act != null && act.toLowerCase(Locale.ROOT).equals("topk")) {
        return SaeTypes.TOPK;
      }
      if (act != null && !act.equalsIgnoreCase("relu")) {
        throw new CheckpointFormatException(cfgPath, "field activation_fn_str (" + act
            + ") must be relu or topk for a standard SAE. Convert the SAE to a supported activation.");
      }
      return SaeTypes.STANDARD;
    }
    try {
      return SaeTypes.parse(arch);
    } catch (ScratchpadException e) {
      throw new CheckpointFormatException(cfgPath, "field architecture (" + arch + ") must be one of "
          + SaeTypes.names() + ". Convert the checkpoint to one of these.", e);
    }
  }

  private HookPoint hookPoint() {
    String name = required("hook_name", "the activation site the SAE reads").asText();
    try {
      return HookPoint.parse(name);
    } catch (ScratchpadException e) {
      throw new CheckpointFormatException(cfgPath, "field hook_name (" + name + ") must name a hook point like "
          + "vision.blocks.18.hook_resid_post. Fix the field or pass SaeLoadOptions.withHookPoint(...).", e);
    }
  }

  Path weightsPath() {
    return dir.resolve(WEIGHTS);
  }

  private void requireWeightsFile() {
    if (!Files.isRegularFile(weightsPath())) {
      throw new CheckpointFormatException(weightsPath(), "is missing. An SAELens SAE folder holds " + CFG
          + " and " + WEIGHTS + ".");
    }
  }

  /** The stored dtype of W_enc, from the header only. */
  String storedDtype() {
    requireWeightsFile();
    try (SafetensorsFile f = SafetensorsFile.open(weightsPath())) {
      return f.info("W_enc").dtype().name();
    }
  }

  /** Reads and checks the weights against {@code config}; the architecture's type reads its own tensors. */
  SaeWeights weights(SaeConfig config) {
    requireWeightsFile();
    Path wp = weightsPath();
    try (SafetensorsFile f = SafetensorsFile.open(wp)) {
      int dIn = config.dIn();
      int dSae = config.dSae();
      float[] wEnc = tensor(f, wp, "W_enc", dIn, dSae);
      float[] wDec = tensor(f, wp, "W_dec", dSae, dIn);
      float[] bDec = tensor(f, wp, "b_dec", dIn);
      return SaeTypes.weights(config, wEnc, wDec, bDec, parameters(f, wp));
    }
  }

  /** The tensors of a safetensors file, refused with the file's name when absent or misshaped. */
  static SaeParameters parameters(SafetensorsFile f, Path file) {
    return new SaeParameters() {
      @Override
      public boolean contains(String name) {
        return f.contains(name);
      }

      @Override
      public float[] get(String name, long... shape) {
        return tensor(f, file, name, shape);
      }

      @Override
      public RuntimeException missing(String name, String neededFor, long... shape) {
        return new CheckpointFormatException(file, "has no tensor " + name + " " + java.util.Arrays.toString(shape)
            + (neededFor == null ? "" : ", which " + neededFor + " needs") + "; tensors present: " + f.names() + ".");
      }
    };
  }

  static float[] tensor(SafetensorsFile f, Path file, String name, long... shape) {
    if (!f.contains(name)) {
      throw parameters(f, file).missing(name, null, shape);
    }
    TensorInfo t = f.info(name);
    checkShape(file, name, t.shape(), shape);
    return f.floats(name);
  }

  static void checkShape(Path file, String name, List<Long> actual, long... expected) {
    boolean ok = actual.size() == expected.length;
    for (int i = 0; ok && i < expected.length; i++) {
      ok = actual.get(i) == expected[i];
    }
    if (!ok) {
      throw new CheckpointFormatException(file, "tensor " + name + " has shape " + actual + "; the SAE config "
          + "(d_in, d_sae) says it must be " + java.util.Arrays.toString(expected)
          + ". Do the weights and the config belong to the same SAE?");
    }
  }

  /** The sparsity statistics if {@code sparsity.safetensors} is present. */
  Optional<SparsityStatistics> sparsity(int dSae) {
    Path sp = dir.resolve(SPARSITY);
    if (!Files.isRegularFile(sp)) {
      return Optional.empty();
    }
    try (SafetensorsFile f = SafetensorsFile.open(sp)) {
      return Optional.of(SparsityStatistics.of(tensor(f, sp, "sparsity", dSae)));
    }
  }
}
