package org.visualscratchpad.vision;

/**
 * Where one image token of the language model's input comes from: its crop, its patch in the
 * crop's grid, the box it covers in the original image, and the row of the crop's SAE activations
 * that holds it (LLaVA-NeXT's and LLaVA-OneVision's newline tokens have no location and are not listed).
 *
 * <pre>{@code
 * jshell> new ImageTokenLocation(0, 0, 0, 0, 0, new PixelBox(0, 0, 14, 14))   // a CLIP patch: SAE row 1
 * jshell> new ImageTokenLocation(0, 0, 0, 0, 0, new PixelBox(0, 0, 14, 14), 0)   // a SigLIP patch (no CLS): row 0
 * }</pre>
 *
 * @param imageTokenIndex the index among the image tokens of the sequence (0-based, newlines excluded)
 * @param crop the crop (0 for LLaVA-1.5; for LLaVA-NeXT and LLaVA-OneVision 0 is the base image, then the tiles)
 * @param patchRow the patch row in the crop's grid
 * @param patchCol the patch column in the crop's grid
 * @param patchIndex {@code patchRow * gridWidth + patchCol}
 * @param box the covered pixels of the original image (clipped to it)
 * @param saeRow the row of the crop's stream (and SAE activations) holding this patch: {@code patchIndex + 1}
 *     for a tower whose crops start with CLS (CLIP), {@code patchIndex} for one without (SigLIP); Qwen2-VL's
 *     rows follow its 2 x 2 merge windows, so its {@code saeRow} is the patch's merge-window row and {@code
 *     patchRow}, {@code patchCol}, {@code patchIndex} and {@code box} its raster place in the image
 */
public record ImageTokenLocation(
    int imageTokenIndex, int crop, int patchRow, int patchCol, int patchIndex, PixelBox box, int saeRow) {

  /** A patch of a tower whose crops start with CLS (CLIP): its SAE row is {@code patchIndex + 1}. */
  public ImageTokenLocation(int imageTokenIndex, int crop, int patchRow, int patchCol, int patchIndex, PixelBox box) {
    this(imageTokenIndex, crop, patchRow, patchCol, patchIndex, box, patchIndex + 1);
  }
}
