package org.visualscratchpad.vision;

import java.awt.image.BufferedImage;
import java.util.List;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * A vision tower (CLIP ViT, SigLIP) that can be read at a hook point: what SAE training and latent
 * statistics run over a dataset. A crop's stream starts with a CLS row where the tower has one ({@link
 * #hasClsToken()}: CLIP), else every row is a patch (SigLIP).
 *
 * <pre>{@code
 * jshell> VisionEncoder tower = ...;  // from visualscratchpad-torch
 * jshell> List<FloatMatrix> crops = tower.residualStream(ImageIO.read(new File("cat.png")), HookPoint.visionResidPost(18))
 * crops ==> [FloatMatrix[577 x 1024] ...]
 * }</pre>
 *
 * <p>Implementations are safe for concurrent use.
 */
public interface VisionEncoder {

  /** Number of encoder layers. */
  int numLayers();

  /** Width of the residual stream ({@code hidden_size}). */
  int hiddenSize();

  /** Side of one square crop in pixels (e.g. 336). */
  int imageSize();

  /** Side of one patch in pixels (e.g. 14). */
  int patchSize();

  /** Patches per side of a crop. */
  default int gridSize() {
    return imageSize() / patchSize();
  }

  /**
   * Whether each crop's stream starts with a CLS row (row 0 CLS, row {@code k + 1} patch {@code k}); towers
   * without one (SigLIP, Qwen2-VL's ViT) have only patch rows. True unless the tower says otherwise.
   */
  default boolean hasClsToken() {
    return true;
  }

  /** Rows of one crop's stream: the patches, plus CLS if the tower has one. */
  default int tokensPerCrop() {
    return gridSize() * gridSize() + (hasClsToken() ? 1 : 0);
  }

  /**
   * The residual stream at {@code hook} for every crop of {@code image} after the model's own
   * preprocessing: one crop for CLIP and LLaVA-1.5, the base image plus the tiles for LLaVA-NeXT.
   *
   * @return one {@code [tokensPerCrop x hiddenSize]} matrix per crop; row 0 is CLS if the tower has one
   * @throws org.visualscratchpad.InvalidInputException if the hook lies beyond the tower
   */
  List<FloatMatrix> residualStream(BufferedImage image, HookPoint hook);
}
