package org.visualscratchpad.torch.family;

import java.nio.file.Path;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.torch.clip.ClipModel;
import org.visualscratchpad.torch.clip.HookedVisionTower;
import org.visualscratchpad.torch.input.preprocess.ImagePreprocessor;
import org.visualscratchpad.torch.llava.Devices;
import org.visualscratchpad.torch.llava.LlavaModel;
import org.visualscratchpad.vision.VisionEncoder;

/**
 * The vision encoder of a checkpoint folder, for dataset statistics and SAE training: what {@code vsp stats},
 * {@code vsp sae train --images} and the Spark job read images through. Every crop is preprocessed with the
 * folder's own {@code preprocessor_config.json}, as the model sees the image.
 *
 * <ul>
 *   <li>CLIP, CLIPVision, LLaVA-1.5 and LLaVA-NeXT folders: only the embeddings and the layers before the hook
 *       are loaded and run ({@link HookedVisionTower}, on the CPU engine or libtorch).
 *   <li>LLaVA-OneVision and Qwen2-VL (CPU engine): the same, through the family's own tower ({@link
 *       HookedFamilyTower}).
 *   <li>A family that cannot load its tower alone: its whole model, on {@code device}.
 * </ul>
 *
 * <pre>{@code
 * jshell> VisionEncoder tower = VisionEncoders.open(Path.of("llava-1.5-7b-hf"), HookPoint.parse("vision.blocks.18.hook_resid_post"), "cpu", "auto")
 * }</pre>
 *
 * The caller closes what it gets when it is {@link AutoCloseable}.
 */
public final class VisionEncoders {
  private VisionEncoders() {}

  /**
   * Opens the vision encoder of {@code folder} for activations at {@code hook}.
   *
   * @param device {@code cpu} (the CPU engine), {@code torch:cpu}, {@code gpu} or {@code gpu:N}
   * @param dtype {@code auto}, {@code f32}, {@code bf16} or {@code f16}
   * @throws org.visualscratchpad.CheckpointFormatException if the folder's {@code config.json} or {@code
   *     preprocessor_config.json} is missing or bad (reported before any weight is read)
   * @throws org.visualscratchpad.InvalidInputException if the hook, device or dtype is not valid for the model
   */
  public static VisionEncoder open(Path folder, HookPoint hook, String device, String dtype) {
    if (HookedVisionTower.supports(folder)) {
      return HookedVisionTower.load(folder, hook, device, dtype);
    }
    if (Devices.isCpuEngine(device) && HookedFamilyTower.supports(folder)) {
      return HookedFamilyTower.load(folder, hook, dtype);
    }
    ImagePreprocessor.forCheckpoint(folder);   // a missing or bad preprocessor_config.json is reported before loading
    String type = ConfigJson.read(folder).getString("model_type", "");
    if (VlmFamilies.supports(type)) {
      return LlavaModel.load(folder, device, dtype);
    }
    return ClipModel.load(folder, device);
  }
}
