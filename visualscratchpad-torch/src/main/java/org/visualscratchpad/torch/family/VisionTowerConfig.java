package org.visualscratchpad.torch.family;

/**
 * What the runtime needs to know of a family's vision tower, whatever its architecture: its size, its crops
 * and whether each crop's stream starts with a CLS row.
 */
public interface VisionTowerConfig {
  /** Width of the residual stream. */
  int hiddenSize();

  /** MLP width. */
  int intermediateSize();

  /** Encoder layers. */
  int numLayers();

  /** Attention heads. */
  int numHeads();

  /** Side of one square crop in pixels. */
  int imageSize();

  /** Side of one patch in pixels. */
  int patchSize();

  /**
   * Whether each crop's stream starts with a CLS row: CLIP yes (row 0 CLS, row {@code k + 1} patch {@code k});
   * SigLIP no (row {@code k} is patch {@code k}).
   */
  boolean hasClsToken();

  /** Patches per side of a crop. */
  default int gridSize() {
    return patchSize() == 0 ? 0 : imageSize() / patchSize();
  }

  /** Rows of one crop's stream: the patches, plus CLS if the tower has one. */
  default int tokensPerCrop() {
    return gridSize() * gridSize() + (hasClsToken() ? 1 : 0);
  }
}
