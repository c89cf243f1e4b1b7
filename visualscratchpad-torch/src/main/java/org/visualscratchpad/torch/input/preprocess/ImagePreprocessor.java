package org.visualscratchpad.torch.input.preprocess;

import java.nio.file.Path;
import org.visualscratchpad.torch.input.image.RgbImage;

/**
 * A checkpoint's image processor: {@link ClipImageProcessor} (CLIP, LLaVA-1.5), {@link
 * LlavaNextImageProcessor} (anyres), or a model family's own (its package; {@code VlmFamily.imageProcessor}).
 *
 * <p>Implementations are immutable and thread-safe.
 *
 * <pre>{@code
 * jshell> var proc = ImagePreprocessor.forCheckpoint(Path.of("llava-v1.6-mistral-7b-hf"))
 * proc ==> LlavaNextImageProcessor[SYMMETRIC padding, PreprocessorConfig[...]]
 * jshell> proc.preprocess(ImageDecoder.defaults().decode(Path.of("cat.jpg"))).cropCount()
 * $2 ==> 5
 * }</pre>
 */
public interface ImagePreprocessor {

  /** The settings. */
  PreprocessorConfig config();

  /** The crops of {@code image}, with its size and geometry. */
  ImageInputs preprocess(RgbImage image);

  /** The geometry {@link #preprocess} gives an image of size {@code original}, without touching pixels. */
  CropGeometry plan(ImageSize original);

  /** The processor for {@code config}: anyres when it has grid pinpoints, CLIP otherwise. */
  static ImagePreprocessor of(PreprocessorConfig config) {
    return config.isAnyres() ? LlavaNextImageProcessor.of(config) : ClipImageProcessor.of(config);
  }

  /**
   * The processor of the checkpoint folder's {@code preprocessor_config.json}: the model family's (by {@code
   * config.json}'s {@code model_type}) when the folder holds a registered VLM, else CLIP's or LLaVA-NeXT's by
   * {@link #of}.
   *
   * @throws org.visualscratchpad.CheckpointFormatException if a file is missing or malformed
   */
  static ImagePreprocessor forCheckpoint(Path modelDir) {
    Path config = modelDir.resolve("config.json");
    if (java.nio.file.Files.isRegularFile(config)) {
      var json = org.visualscratchpad.torch.checkpoint.ConfigJson.read(config);
      var family = org.visualscratchpad.torch.family.VlmFamilies.find(json.getString("model_type", ""));
      if (family.isPresent()) {
        return family.get().imageProcessor(modelDir, family.get().readConfig(json));
      }
    }
    return of(PreprocessorConfig.read(modelDir));
  }
}
