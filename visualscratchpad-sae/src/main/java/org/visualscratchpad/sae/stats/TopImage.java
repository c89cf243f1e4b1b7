package org.visualscratchpad.sae.stats;

import java.util.Comparator;
import java.util.Locale;
import org.visualscratchpad.InvalidInputException;

/**
 * One of a latent's maximally activating images: its id, label, image-level activation (the mean
 * of the latent's activation over the image's counted tokens) and per-token activation mask.
 *
 * <pre>{@code
 * jshell> stats.topImages(123).get(0)
 * $1 ==> TopImage[n01440764/img_0042.jpg (tench) 0.8312, PatchMask[577 tokens, 31 active, max 4.1 at token 203]]
 * }</pre>
 *
 * @param imageId the image's unique id (e.g. its path relative to the dataset root)
 * @param label its label, {@code ""} if none
 * @param activation the image-level activation
 * @param mask where in the image the latent fired
 */
public record TopImage(String imageId, String label, float activation, PatchMask mask) {

  /** Highest activation first; equal activations by image id, ascending: a total order. */
  public static final Comparator<TopImage> RANKING = (a, b) -> {
    int c = Float.compare(b.activation, a.activation);
    return c != 0 ? c : a.imageId.compareTo(b.imageId);
  };

  public TopImage {
    InvalidInputException.check(imageId != null, "image id must not be null");
    InvalidInputException.check(Float.isFinite(activation), "activation of image %s (%s) must be finite", imageId, activation);
    InvalidInputException.check(mask != null, "mask of image %s must not be null", imageId);
    label = label == null ? "" : label;
  }

  /** Whether this entry has a label. */
  public boolean labelled() {
    return !label.isEmpty();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "TopImage[%s%s %.4f, %s]", imageId, label.isEmpty() ? "" : " (" + label + ")",
        activation, mask);
  }
}
