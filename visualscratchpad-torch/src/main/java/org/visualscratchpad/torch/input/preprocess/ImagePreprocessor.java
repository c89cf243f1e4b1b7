package org.visualscratchpad.torch.input.preprocess;

import java.nio.file.Path;
import org.visualscratchpad.torch.input.image.RgbImage;

/**
 * A checkpoint's image processor: {@link ClipImageProcessor} (CLIP, LLaVA-1.5) or {@link
 * LlavaNextImageProcessor} (anyres), chosen from {@code preprocessor_config.json}.
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
public sealed interface ImagePreprocessor permits ClipImageProcessor, LlavaNextImageProcessor {

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
   * The processor of the checkpoint folder's {@code preprocessor_config.json}.
   *
   * @throws org.visualscratchpad.CheckpointFormatException if the file is missing or malformed
   */
  static ImagePreprocessor forCheckpoint(Path modelDir) {
    return of(PreprocessorConfig.read(modelDir));
  }
}
