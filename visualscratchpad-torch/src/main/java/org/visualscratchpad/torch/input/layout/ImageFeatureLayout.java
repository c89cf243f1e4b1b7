package org.visualscratchpad.torch.input.layout;

import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.input.preprocess.AnyresGeometry;
import org.visualscratchpad.torch.input.preprocess.CenterCropGeometry;
import org.visualscratchpad.torch.input.preprocess.CropGeometry;
import org.visualscratchpad.torch.input.preprocess.ImageInputs;
import org.visualscratchpad.torch.input.preprocess.PreprocessorConfig;
import org.visualscratchpad.vision.ImageTokenLocation;

/**
 * The image's block of {@code <image>} tokens in the language model's input, as pure index math:
 * how many tokens, which vision-feature row each carries (HF's {@code pack_image_features}), and
 * where each patch token lies in the original image.
 *
 * <p>LLaVA-1.5 ({@link LlavaFeatureLayout}): the crop's patches row-major. LLaVA-NeXT ({@link
 * LlavaNextFeatureLayout}): the base image's patches, then the unpadded tile grid row-major with
 * an {@code image_newline} after every row. Other families bring their own (each family's package; {@code
 * VlmFamily.layout}): the one layout that both the input pipeline (how many image tokens the prompt holds,
 * where each lies in the image) and the model (which feature each token carries) use.
 *
 * <p>Implementations are immutable and thread-safe.
 *
 * <pre>{@code
 * jshell> var cfg = PreprocessorConfig.read(Path.of("llava-v1.6-mistral-7b-hf"))
 * jshell> var in = LlavaNextImageProcessor.of(cfg).preprocess(image)         // 480 x 640
 * jshell> var layout = ImageFeatureLayout.of(in, cfg, 14, FeatureSelect.DEFAULT)
 * layout ==> LlavaNextFeatureLayout[image 480x640 (h x w), grid 2x2 tiles, kept rows [6, 42) cols [0, 48), 2340 tokens]
 * jshell> layout.locations().size()   // 2340 - 36 newlines
 * $4 ==> 2304
 * }</pre>
 */
public interface ImageFeatureLayout {

  /** The number of {@code <image>} tokens this image takes in the sequence (newlines included). */
  int tokenCount();

  /** Crops the vision tower sees for this image (1 for LLaVA-1.5; the base view plus the tiles for anyres). */
  int cropCount();

  /** Every image token in sequence order; {@code tokens().get(k).position() == k}. */
  List<PackedImageToken> tokens();

  /**
   * The patch tokens' locations in sequence order (newlines and CLS excluded); {@code
   * imageTokenIndex} counts patch tokens only.
   */
  List<ImageTokenLocation> locations();

  /**
   * For each token position, the row of the stacked per-crop vision features it carries ({@code
   * crop * featuresPerCrop + row}), or -1 for an {@code image_newline}: the gather index that turns
   * {@code [crops * featuresPerCrop, d]} features into the packed {@code [tokenCount, d]} sequence.
   * A {@link PackedImageToken.Mixed} token gives its first row (its features are a weighted sum; see it).
   */
  default int[] featureSourceRows() {
    List<PackedImageToken> tokens = tokens();
    int[] rows = new int[tokens.size()];
    for (int position = 0; position < rows.length; position++) {
      PackedImageToken t = tokens.get(position);
      if (t instanceof PackedImageToken.Patch p) {
        rows[position] = p.featureRow();
      } else if (t instanceof PackedImageToken.ClassToken c) {
        rows[position] = c.featureRow();
      } else if (t instanceof PackedImageToken.Mixed m) {
        rows[position] = m.featureRows()[0];
      } else {
        rows[position] = -1;
      }
    }
    return rows;
  }

  /**
   * Whether the token at {@code position} carries a vision patch (a patch or a mix of patches), as opposed to a
   * newline or CLS: exactly the tokens whose attention the analysis reads.
   */
  default boolean carriesPatch(int position) {
    PackedImageToken t = tokens().get(position);
    return t instanceof PackedImageToken.Patch || t instanceof PackedImageToken.Mixed;
  }

  /**
   * How attention to this image's patch-carrying tokens (in sequence order, newlines and CLS left out) is
   * attributed to the patches the analysis reads: for a plain patch token its own patch with weight 1; for a
   * {@link PackedImageToken.Mixed} token each source patch with its mixing weight. The columns are those
   * patches, in order of first use; their locations are what {@code Scratchpad.imageTokenLayout} returns, and
   * {@code imageTokenIndex} numbers the columns.
   */
  default Attribution attribution() {
    java.util.Map<List<Integer>, Integer> index = new java.util.LinkedHashMap<>();
    List<ImageTokenLocation> columns = new java.util.ArrayList<>();
    List<int[]> cols = new java.util.ArrayList<>();
    List<float[]> weights = new java.util.ArrayList<>();
    boolean identity = true;
    for (PackedImageToken t : tokens()) {
      List<ImageTokenLocation> sources;
      float[] w;
      if (t instanceof PackedImageToken.Patch p) {
        sources = List.of(p.location());
        w = new float[] {1f};
      } else if (t instanceof PackedImageToken.Mixed m) {
        sources = m.sources();
        w = m.weights();
        identity = false;
      } else {
        continue;
      }
      int[] c = new int[sources.size()];
      for (int i = 0; i < c.length; i++) {
        ImageTokenLocation src = sources.get(i);
        List<Integer> key = List.of(src.crop(), src.patchIndex());
        Integer at = index.get(key);
        if (at == null) {
          at = columns.size();
          index.put(key, at);
          columns.add(new ImageTokenLocation(at, src.crop(), src.patchRow(), src.patchCol(), src.patchIndex(), src.box(),
              src.saeRow()));
        }
        c[i] = at;
      }
      cols.add(c);
      weights.add(w);
    }
    return new Attribution(columns, cols.toArray(new int[0][]), weights.toArray(new float[0][]), identity);
  }

  /**
   * Where attention to the patch-carrying tokens goes: token {@code k} (the {@code k}-th token that carries a
   * patch) sends {@code weights[k][i]} of its attention to column {@code columns[k][i]}.
   *
   * @param locations one per column
   * @param columns per token, its columns
   * @param weights per token, the share of each column
   * @param identity whether every token is one column of its own, in order (no spreading needed)
   */
  record Attribution(List<ImageTokenLocation> locations, int[][] columns, float[][] weights, boolean identity) {
    public Attribution {
      locations = List.copyOf(locations);
    }

    /** Tokens that carry a patch. */
    public int tokens() {
      return columns.length;
    }

    /**
     * Spreads {@code attention [rows x tokens]} (row-major) over the columns: {@code [rows x locations]}.
     *
     * @throws InvalidInputException if the attention has another number of token columns
     */
    public float[] spread(float[] attention, int rows) {
      InvalidInputException.check(attention.length == (long) rows * columns.length,
          "attention of %s values is not %s rows of %s image tokens", attention.length, rows, columns.length);
      int n = locations.size();
      float[] out = new float[rows * n];
      for (int r = 0; r < rows; r++) {
        for (int k = 0; k < columns.length; k++) {
          float a = attention[r * columns.length + k];
          for (int i = 0; i < columns[k].length; i++) {
            out[r * n + columns[k][i]] += a * weights[k][i];
          }
        }
      }
      return out;
    }
  }

  /**
   * The layout of a preprocessed image: LLaVA-1.5 for a centre crop, LLaVA-NeXT for anyres tiles (the two
   * LLaVA families; other families' layouts come from their {@code VlmFamily}).
   *
   * @param inputs the preprocessed image
   * @param config the preprocessor settings that produced it
   * @param patchSize the vision tower's {@code patch_size}
   * @param select {@code vision_feature_select_strategy}
   */
  static ImageFeatureLayout of(ImageInputs inputs, PreprocessorConfig config, int patchSize, FeatureSelect select) {
    InvalidInputException.check(inputs != null, "arguments must not be null");
    return of(inputs.geometry(), config, patchSize, select);
  }

  /** The layout of an image whose preprocessing has (or would have) {@code geometry}. */
  static ImageFeatureLayout of(CropGeometry geometry, PreprocessorConfig config, int patchSize, FeatureSelect select) {
    InvalidInputException.check(geometry != null && config != null && select != null, "arguments must not be null");
    if (geometry instanceof AnyresGeometry g) {
      return LlavaNextFeatureLayout.of(g, config, patchSize, select);
    }
    InvalidInputException.check(geometry instanceof CenterCropGeometry,
        "geometry %s is neither a centre crop nor LLaVA-NeXT's anyres tiles; use its family's layout", geometry);
    return LlavaFeatureLayout.of((CenterCropGeometry) geometry, patchSize, select);
  }
}
