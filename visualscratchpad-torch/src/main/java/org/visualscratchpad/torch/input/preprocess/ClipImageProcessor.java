package org.visualscratchpad.torch.input.preprocess;

import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.input.image.PillowResize;
import org.visualscratchpad.torch.input.image.RgbImage;

/**
 * Hugging Face's {@code CLIPImageProcessor} (the slow, Pillow-based one): resize (Pillow bicubic on
 * 8-bit data), centre crop (padding with black when the image is smaller), rescale ({@code float32(u8
 * * rescale_factor)} computed in double) and normalise ({@code (v - mean) / std} in float32), each
 * step switched by the {@link PreprocessorConfig}. The processor of CLIP and LLaVA-1.5, and the
 * per-crop step of LLaVA-NeXT's.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * jshell> var proc = ClipImageProcessor.of(PreprocessorConfig.read(Path.of("llava-1.5-7b-hf")))
 * jshell> proc.preprocess(ImageDecoder.defaults().decode(Path.of("cat.jpg")))
 * $2 ==> ImageInputs[480x640 (h x w), 1 crop of 3 x 336 x 336, CenterCropGeometry[...]]
 * }</pre>
 */
public final class ClipImageProcessor implements ImagePreprocessor {
  private final PreprocessorConfig config;
  private final float[] mean;
  private final float[] std;

  private ClipImageProcessor(PreprocessorConfig config) {
    this.config = config;
    this.mean = new float[3];
    this.std = new float[3];
    for (int c = 0; c < 3; c++) {
      mean[c] = config.imageMean().get(c).floatValue();
      std[c] = config.imageStd().get(c).floatValue();
    }
  }

  /** A processor with the settings of {@code config} (pinpoints, if any, are ignored). */
  public static ClipImageProcessor of(PreprocessorConfig config) {
    InvalidInputException.check(config != null, "config must not be null");
    return new ClipImageProcessor(config);
  }

  @Override
  public PreprocessorConfig config() {
    return config;
  }

  @Override
  public CenterCropGeometry plan(ImageSize original) {
    return CenterCropGeometry.of(config, original);
  }

  /** The single crop of {@code image} with its geometry. */
  @Override
  public ImageInputs preprocess(RgbImage image) {
    ImageSize original = new ImageSize(image.height(), image.width());
    CenterCropGeometry geometry = plan(original);
    return new ImageInputs(original, List.of(crop(image, geometry)), geometry);
  }

  /** Resize, crop, rescale and normalise one image into its pixel values. */
  PixelValues crop(RgbImage image, CenterCropGeometry geometry) {
    RgbImage resized = image;
    if (config.doResize() && !geometry.resized().equals(geometry.original())) {
      resized = PillowResize.resize(image, geometry.resized().height(), geometry.resized().width(), config.resample());
    }
    RgbImage cropped = resized;
    if (config.doCenterCrop() && !geometry.crop().equals(geometry.resized())) {
      cropped = resized.region(geometry.cropTop(), geometry.cropLeft(), geometry.crop().height(), geometry.crop().width());
    }
    return normalize(cropped);
  }

  /**
   * Rescale and normalise an 8-bit image (no resize or crop), as {@code rescale} and {@code normalize} of the
   * Hugging Face processors: {@code float32(u8 * rescale_factor)} computed in double, then {@code (v - mean) /
   * std} in float32. The last step of every processor here (families' too).
   */
  public PixelValues normalize(RgbImage image) {
    int h = image.height();
    int w = image.width();
    int plane = h * w;
    byte[] src = image.toBytes();
    float[] out = new float[3 * plane];
    double factor = config.rescaleFactor();
    for (int p = 0; p < plane; p++) {
      for (int c = 0; c < 3; c++) {
        int u8 = src[p * 3 + c] & 0xFF;
        float v = config.doRescale() ? (float) (u8 * factor) : (float) u8;
        if (config.doNormalize()) {
          v = (v - mean[c]) / std[c];
        }
        out[c * plane + p] = v;
      }
    }
    return new PixelValues(h, w, FloatMatrix.adopt(3, plane, out));
  }

  @Override
  public String toString() {
    return "ClipImageProcessor[" + config + "]";
  }
}
