package org.visualscratchpad.sae.format;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.sae.SaeConfig;
import org.visualscratchpad.sae.architecture.SaeParameters;
import org.visualscratchpad.sae.architecture.SaeType;
import org.visualscratchpad.sae.architecture.SaeTypes;
import org.visualscratchpad.sae.kernel.SaeWeights;

/**
 * Reads PatchSAE checkpoints: a {@code torch.save} zip of {@code {"cfg": ..., "state_dict": {W_enc,
 * b_enc, W_dec, b_dec}}} (the state dict's other tensors are the architecture's, e.g. {@code
 * threshold}). The cfg may be a dict or a pickled config object (its {@code __dict__} state is read);
 * {@code d_in}/{@code d_sae} default to the tensor shapes.
 */
final class PatchSaeFormat {
  private final Path path;
  private final Map<String, Object> cfg;
  private final Map<String, Object> stateDict;

  private PatchSaeFormat(Path path) {
    this.path = path;
    try (TorchPickle pickle = TorchPickle.open(path)) {
      Map<String, Object> root = stringMap(pickle.root(), "the checkpoint's top level");
      Object sd = root.get("state_dict");
      if (sd == null) {
        throw new CheckpointFormatException(path, "has no \"state_dict\" entry; top-level keys: " + root.keySet()
            + ". A PatchSAE checkpoint is {\"cfg\": ..., \"state_dict\": {W_enc, b_enc, W_dec, b_dec}}.");
      }
      this.stateDict = stringMap(sd, "state_dict");
      Object c = root.get("cfg");
      this.cfg = c == null ? Map.of() : configMap(c);
      this.tensors = readTensors(pickle);
    }
  }

  private final Map<String, float[]> tensors;
  private final Map<String, java.util.List<Long>> shapes = new LinkedHashMap<>();
  private String storedDtype = "F32";

  static PatchSaeFormat open(Path path) {
    return new PatchSaeFormat(path);
  }

  /** Every tensor of the state dict; W_enc, W_dec and b_dec are required (the rest is the architecture's to ask for). */
  private Map<String, float[]> readTensors(TorchPickle pickle) {
    for (String name : new String[] {"W_enc", "W_dec", "b_dec"}) {
      if (stateDict.get(name) == null) {
        throw new CheckpointFormatException(path, "state_dict has no tensor " + name + "; it holds "
            + stateDict.keySet() + ".");
      }
    }
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : stateDict.entrySet()) {
      String name = e.getKey();
      boolean required = name.equals("W_enc") || name.equals("W_dec") || name.equals("b_dec");
      if (!(e.getValue() instanceof TorchPickle.Tensor tensor)) {
        if (required) {
          throw new CheckpointFormatException(path, "state_dict entry " + name + " is " + e.getValue() + ", not a tensor.");
        }
        continue;
      }
      shapes.put(name, tensor.shape());
      if (name.equals("W_enc")) {
        storedDtype = tensor.storage().dtype().name();
      }
      out.put(name, pickle.floats(tensor, name));
    }
    return out;
  }

  private Map<String, Object> stringMap(Object o, String what) {
    if (!(o instanceof Map<?, ?> m)) {
      throw new CheckpointFormatException(path, what + " is " + o + ", not a dict. A PatchSAE checkpoint is "
          + "{\"cfg\": ..., \"state_dict\": {W_enc, b_enc, W_dec, b_dec}}.");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }

  private Map<String, Object> configMap(Object c) {
    if (c instanceof Map<?, ?>) {
      return stringMap(c, "cfg");
    }
    if (c instanceof TorchPickle.Opaque o) {
      Object state = o.state();
      if (state instanceof TorchPickle.Tuple t && t.items().size() == 2) {
        state = t.items().get(0) != null ? t.items().get(0) : t.items().get(1); // (dict, slots)
      }
      if (state instanceof Map<?, ?>) {
        return stringMap(state, "cfg " + o.type());
      }
      return Map.of();
    }
    return Map.of();
  }

  private Object cfgValue(String... names) {
    for (String n : names) {
      Object v = cfg.get(n);
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  SaeConfig config(SaeLoadOptions options) {
    java.util.List<Long> enc = shapes.get("W_enc");
    if (enc.size() != 2) {
      throw new CheckpointFormatException(path, "tensor W_enc has shape " + enc + "; it must be [d_in, d_sae].");
    }
    int dIn = intValue("d_in", enc.get(0));
    int dSae = intValue("d_sae", enc.get(1));
    SaeType type = SaeTypes.STANDARD;
    Object archName = cfgValue("architecture");
    if (archName != null) {
      try {
        type = SaeTypes.parse(String.valueOf(archName));
      } catch (ScratchpadException e) {
        throw new CheckpointFormatException(path, "cfg architecture (" + archName + ") must be one of "
            + SaeTypes.names() + ".", e);
      }
    }
    int k = 0;
    if (type.architecture().usesK()) {
      Object kv = cfgValue("k");
      if (!(kv instanceof Long)) {
        throw new CheckpointFormatException(path, "cfg k (" + kv + ") must be an integer for a "
            + type.architecture().cfgName() + " SAE.");
      }
      k = ((Long) kv).intValue();
    }
    Object apply = cfgValue("apply_b_dec_to_input");
    boolean applyBDec = !(apply instanceof Boolean b) || b;
    HookPoint hook = options.hookPoint() != null ? options.hookPoint() : hookPoint();
    Object model = cfgValue("model_name");
    Object dtype = cfgValue("dtype");
    String dt = dtype == null ? "float32" : dtype.toString().replace("torch.", "");
    SaeConfig config = new SaeConfig(type.architecture(), dIn, dSae, hook, applyBDec, k, dt,
        model == null ? "" : model.toString());
    LinkedHashMap<String, long[]> expected = new LinkedHashMap<>();
    expected.put("W_enc", new long[] {dIn, dSae});
    expected.put("W_dec", new long[] {dSae, dIn});
    expected.put("b_dec", new long[] {dIn});
    expected.forEach((name, shape) -> SaeLensFormat.checkShape(path, name, shapes.get(name), shape));
    return config;
  }

  private int intValue(String name, long fromTensor) {
    Object v = cfgValue(name);
    if (v == null) {
      return Math.toIntExact(fromTensor);
    }
    if (!(v instanceof Long l) || l <= 0) {
      throw new CheckpointFormatException(path, "cfg " + name + " (" + v + ") must be a positive integer.");
    }
    return Math.toIntExact(l);
  }

  private HookPoint hookPoint() {
    Object layer = cfgValue("block_layer", "hook_layer", "layer");
    Object name = cfgValue("hook_name", "hook_point");
    String text = name == null ? null : name.toString();
    if (text != null && text.contains("{") && layer instanceof Long l) {
      text = text.replaceAll("\\{[^}]*}", Long.toString(l));
    }
    if (text == null && layer instanceof Long l && l >= 0) {
      text = "vision.blocks." + l + ".hook_resid_post";
    }
    if (text == null) {
      throw new CheckpointFormatException(path, "cfg names no hook point (hook_point, hook_name or block_layer); "
          + "cfg keys: " + cfg.keySet() + ". Pass it with SaeLoadOptions.withHookPoint(HookPoint.parse(...)).");
    }
    try {
      return HookPoint.parse(text);
    } catch (ScratchpadException e) {
      throw new CheckpointFormatException(path, "cfg hook point (" + text + ", block_layer " + layer
          + ") must name a non-negative layer like vision.blocks.22.hook_resid_post. Pass it with "
          + "SaeLoadOptions.withHookPoint(HookPoint.parse(...)).", e);
    }
  }

  String storedDtype() {
    return storedDtype;
  }

  SaeWeights weights(SaeConfig config) {
    return SaeTypes.weights(config, tensors.get("W_enc"), tensors.get("W_dec"), tensors.get("b_dec"), new SaeParameters() {
      @Override
      public boolean contains(String name) {
        return tensors.containsKey(name);
      }

      @Override
      public float[] get(String name, long... shape) {
        if (!tensors.containsKey(name)) {
          throw missing(name, null, shape);
        }
        SaeLensFormat.checkShape(path, name, shapes.get(name), shape);
        return tensors.get(name);
      }

      @Override
      public RuntimeException missing(String name, String neededFor, long... shape) {
        return new CheckpointFormatException(path, "state_dict has no tensor " + name + " " + java.util.Arrays.toString(shape)
            + (neededFor == null ? "" : ", which " + neededFor + " needs") + "; it holds " + stateDict.keySet() + ".");
      }
    });
  }
}
