package org.visualscratchpad.torch.family;

import java.util.List;
import org.visualscratchpad.torch.cpu.CpuLlama;
import org.visualscratchpad.torch.cpu.CpuVisionTower;
import org.visualscratchpad.torch.cpu.VisionStream;
import org.visualscratchpad.torch.llava.ImageInput;
import org.visualscratchpad.torch.trace.Trace;

/**
 * A family's model on the CPU engine: the few parts the generic runner ({@code LlavaModel} on device {@code
 * cpu}) drives to answer, capture and intervene, so that a family never implements generation, KV caching,
 * attention capture, SAE taps or reuse itself.
 *
 * <ol>
 *   <li>{@link #checkedCrops} and {@link #embed}: the images' crops and the vision tower's {@code
 *       hidden_states[0]};</li>
 *   <li>{@link #vision()}: the tower's layers; the runner runs them one by one, applies the SAE tap after the
 *       hook layer and stops at the layer the projector reads ({@link VlmConfig#featureHiddenIndex()});</li>
 *   <li>{@link #features}: that layer's stream to the image features written into the prompt (feature
 *       selection, projector, packing with the family's {@code ImageFeatureLayout});</li>
 *   <li>{@link #language()} and {@link #positions}: the language model and how it numbers positions.</li>
 * </ol>
 *
 * <p>Implementations are immutable and thread-safe.
 */
public interface CpuFamilyModel {

  /** The vision tower. */
  CpuVisionTower vision();

  /** The language model. */
  CpuLlama language();

  /**
   * Checks image {@code index} of a call against the tower (pixel layout, crop size, crop count) and returns the
   * number of crops the model uses.
   *
   * @throws org.visualscratchpad.InvalidInputException naming the image and what was expected
   */
  int checkedCrops(int index, ImageInput image);

  /**
   * The tower's {@code hidden_states[0]} for the first {@code cropsPerImage[i]} crops of every image {@code i}.
   */
  VisionStream embed(List<ImageInput> images, int[] cropsPerImage);

  /**
   * The stream of a call that starts from a cached stream at the hook ({@code start}: one {@code [rows, width]}
   * matrix per crop, the crops of every image {@code i}'s first {@code cropsPerImage[i]} in order) instead of
   * at {@link #embed}. By default the crops' rows as they are; a tower that keeps per-call state in {@link
   * VisionStream#scratch} (Qwen2-VL: the images' patch grids) attaches it here.
   *
   * @throws org.visualscratchpad.InvalidInputException if {@code start} does not hold one matrix per crop
   */
  default VisionStream resume(List<org.visualscratchpad.tensor.FloatMatrix> start, List<ImageInput> images,
      int[] cropsPerImage, int width) {
    int n = 0;
    for (int c : cropsPerImage) {
      n += c;
    }
    org.visualscratchpad.InvalidInputException.check(start.size() == n,
        "the cached stream has %s crops; the images give %s", start.size(), n);
    int[] rows = new int[n];
    int[] image = new int[n];
    int[] cropInImage = new int[n];
    int total = 0;
    for (int c = 0; c < n; c++) {
      rows[c] = start.get(c).rows();
      total += rows[c];
    }
    float[] z = new float[total * width];
    int at = 0;
    for (int i = 0, c = 0; i < images.size(); i++) {
      for (int k = 0; k < cropsPerImage[i]; k++, c++) {
        image[c] = i;
        cropInImage[c] = k;
        start.get(c).copyInto(z, at * width);
        at += rows[c];
      }
    }
    return new VisionStream(z, width, rows, image, cropInImage);
  }

  /**
   * The image features of the stream at the layer the projector reads, in prompt order.
   *
   * @param trace receives Hugging Face's intermediate outputs ({@code vision_tower.selected_feature}, {@code
   *     projected_tiles}, {@code packed_image_features}, {@code packed_feature_lens}), or null
   */
  ImageFeatures features(VisionStream feature, List<ImageInput> images, Trace trace);

  /**
   * The position ids of a batch of prompts whose image tokens are expanded. The default numbers real tokens
   * from 0 ({@link TextPositions#fromMask}); a family with its own scheme (M-RoPE) overrides it.
   */
  default TextPositions positions(long[][] ids, int[][] mask, List<ImageInput> images) {
    return TextPositions.fromMask(mask);
  }

  /** Bytes of weights held. */
  long bytes();
}
