package org.visualscratchpad.sae.stats;

import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.sae.SparseActivations;

/**
 * The SAE codes of one image, the unit that {@link LatentStatistics} consumes: one {@link
 * SparseActivations} {@code [tokensPerCrop x d_sae]} per crop (row 0 is CLS), the image's unique
 * id and an optional label.
 *
 * <pre>{@code
 * jshell> new ImageActivations("cat/001.jpg", "cat", List.of(sae.encode(crop)))
 * }</pre>
 *
 * @param imageId unique id of the image within the dataset
 * @param label its label, {@code ""} if none
 * @param crops codes per crop, all with the same {@code d_sae}
 */
public record ImageActivations(String imageId, String label, List<SparseActivations> crops) {
  public ImageActivations {
    InvalidInputException.check(imageId != null && !imageId.isEmpty(), "image id must not be empty");
    label = label == null ? "" : label;
    crops = List.copyOf(crops);
    InvalidInputException.check(!crops.isEmpty(), "image %s must have at least one crop", imageId);
    int dSae = crops.get(0).dSae();
    for (SparseActivations c : crops) {
      InvalidInputException.check(c.dSae() == dSae, "crops of image %s disagree on d_sae (%s vs %s)", imageId,
          c.dSae(), dSae);
    }
  }

  /** The SAE width. */
  public int dSae() {
    return crops.get(0).dSae();
  }

  /** Tokens over all crops. */
  public int tokenCount() {
    int n = 0;
    for (SparseActivations c : crops) {
      n += c.rows();
    }
    return n;
  }
}
