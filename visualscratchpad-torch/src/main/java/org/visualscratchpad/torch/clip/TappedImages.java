package org.visualscratchpad.torch.clip;

import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * The result of {@link ClipModel#encodeImages(org.visualscratchpad.torch.trace.DenseTensor,
 * org.visualscratchpad.torch.llava.SaeTap)}: the stream at the SAE's hook per image, before and
 * after the tap's plan, and the normalised image embeddings computed from the edited stream.
 *
 * <pre>{@code
 * jshell> var run = clip.encodeImages(pixels, new SaeTap(sae, InterventionPlan.none()))
 * run ==> TappedImages[1 images, stream [50 x 1024], embeds [1 x 768]]
 * }</pre>
 *
 * @param hooked the unedited stream per image, {@code [tokens x d]} each (row 0 CLS)
 * @param edited the stream the tower continued from, {@code [tokens x d]} each (the same objects as
 *     {@code hooked} for the identity plan)
 * @param imageEmbeds the normalised image embeddings, {@code [images x projection_dim]}
 */
public record TappedImages(List<FloatMatrix> hooked, List<FloatMatrix> edited, FloatMatrix imageEmbeds) {
  public TappedImages {
    hooked = List.copyOf(hooked);
    edited = List.copyOf(edited);
    InvalidInputException.check(hooked.size() == edited.size() && hooked.size() == imageEmbeds.rows(),
        "hooked (%s), edited (%s) and embedding rows (%s) must agree", hooked.size(), edited.size(), imageEmbeds.rows());
  }

  @Override
  public String toString() {
    FloatMatrix z = hooked.get(0);
    return "TappedImages[" + hooked.size() + " images, stream [" + z.rows() + " x " + z.cols() + "], embeds ["
        + imageEmbeds.rows() + " x " + imageEmbeds.cols() + "]]";
  }
}
