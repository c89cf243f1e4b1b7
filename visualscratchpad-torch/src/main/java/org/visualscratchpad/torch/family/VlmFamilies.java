package org.visualscratchpad.torch.family;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.torch.family.llava.LlavaFamily;
import org.visualscratchpad.torch.family.onevision.OnevisionFamily;
import org.visualscratchpad.torch.family.qwen2vl.Qwen2VLFamily;

/**
 * The registry of model families, keyed by {@code config.json}'s {@code model_type}: what {@code
 * LlavaModel.load}, {@code Scratchpad.load}, the memory pre-flight and {@code vsp parity} go through.
 *
 * <pre>{@code
 * jshell> VlmFamilies.forConfig(ConfigJson.read(Path.of("llava-onevision-qwen2-7b-ov-hf"))).displayName()
 * $1 ==> "LLaVA-OneVision (SigLIP + Qwen2)"
 * }</pre>
 */
public final class VlmFamilies {
  private VlmFamilies() {}

  private static final Map<String, VlmFamily> FAMILIES = new LinkedHashMap<>();

  static {
    register(LlavaFamily.LLAVA);
    register(LlavaFamily.LLAVA_NEXT);
    register(OnevisionFamily.INSTANCE);
    register(Qwen2VLFamily.INSTANCE);
  }

  private static void register(VlmFamily family) {
    FAMILIES.put(family.modelType(), family);
  }

  /** Every registered family, in registration order. */
  public static List<VlmFamily> all() {
    return List.copyOf(FAMILIES.values());
  }

  /** The family of {@code modelType}, if registered. */
  public static Optional<VlmFamily> find(String modelType) {
    return Optional.ofNullable(FAMILIES.get(modelType));
  }

  /** Whether {@code modelType} is a registered family. */
  public static boolean supports(String modelType) {
    return FAMILIES.containsKey(modelType);
  }

  /**
   * The family of a root {@code config.json}.
   *
   * @throws CheckpointFormatException naming the file, the {@code model_type} found and every supported one
   */
  public static VlmFamily forConfig(ConfigJson root) {
    String type = root.getString("model_type", "");
    VlmFamily f = FAMILIES.get(type);
    if (f == null) {
      throw root.bad("model_type", type.isEmpty() ? "missing" : type, "one of the supported families: " + describe());
    }
    return f;
  }

  /** {@code llava (LLaVA-1.5), llava_next (LLaVA-NeXT), ...}. */
  public static String describe() {
    List<String> parts = new ArrayList<>();
    for (VlmFamily f : FAMILIES.values()) {
      parts.add(f.modelType() + " (" + f.displayName() + ")");
    }
    return String.join(", ", parts);
  }
}
