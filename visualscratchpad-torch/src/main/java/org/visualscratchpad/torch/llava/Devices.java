package org.visualscratchpad.torch.llava;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;
import org.visualscratchpad.InvalidInputException;

/** Device names of {@code LoadSpec} ({@code cpu}, {@code gpu}, {@code gpu:N}) to DJL devices. Internal. */
public final class Devices {
  private Devices() {}

  /**
   * The DJL device for {@code name}.
   *
   * @throws InvalidInputException for an unknown name or a GPU that is not present
   */
  public static Device parse(String name) {
    String n = name == null || name.isBlank() ? "cpu" : name.strip().toLowerCase(Locale.ROOT);
    if (n.equals("cpu") || n.equals("torch:cpu")) {
      return Device.cpu();
    }
    if (n.equals("gpu") || n.equals("cuda")) {
      n = "gpu:0";
    }
    if (n.startsWith("gpu:") || n.startsWith("cuda:")) {
      int id;
      try {
        id = Integer.parseInt(n.substring(n.indexOf(':') + 1));
      } catch (NumberFormatException e) {
        throw new InvalidInputException("device (" + name + ") must be cpu, gpu or gpu:N", e);
      }
      int gpus = Engine.getInstance().getGpuCount();
      InvalidInputException.check(gpus > 0, "device (%s): libtorch sees no CUDA GPU. Either this machine has none, "
          + "or the class path holds DJL's CPU natives (ai.djl.pytorch:pytorch-native-cpu): for an NVIDIA GPU put "
          + "ai.djl.pytorch:pytorch-native-cu128:2.7.1:linux-x86_64 (or another pytorch-native-cu* build of libtorch "
          + "2.7.1) in its place (see the README, 'Real checkpoints'), or use --device cpu", name);
      InvalidInputException.check(id >= 0 && id < gpus, "device (%s) must name one of the %s GPUs this engine sees; "
          + "use gpu:0 .. gpu:%s or cpu", name, gpus, gpus - 1);
      return Device.gpu(id);
    }
    throw new InvalidInputException("device (" + name + ") must be cpu, gpu or gpu:N");
  }

  /** Whether {@code name} selects the project's CPU engine ({@code cpu}, the default) rather than libtorch. */
  public static boolean isCpuEngine(String name) {
    String n = name == null || name.isBlank() ? "cpu" : name.strip().toLowerCase(Locale.ROOT);
    return n.equals("cpu");
  }

  /**
   * The weight storage of {@code dtype}: null for {@code auto} (each tensor as stored).
   *
   * @throws InvalidInputException for another name
   */
  public static org.visualscratchpad.torch.cpu.PackedWeight.Storage storage(String dtype) {
    String d = dtype == null || dtype.isBlank() ? "auto" : dtype.strip().toLowerCase(Locale.ROOT);
    return switch (d) {
      case "auto" -> null;
      case "f32", "float32", "fp32" -> org.visualscratchpad.torch.cpu.PackedWeight.Storage.F32;
      case "bf16", "bfloat16" -> org.visualscratchpad.torch.cpu.PackedWeight.Storage.BF16;
      case "f16", "float16", "fp16" -> org.visualscratchpad.torch.cpu.PackedWeight.Storage.F16;
      default -> throw new InvalidInputException("dtype (" + dtype + ") must be auto, f32, bf16 or f16");
    };
  }
}
