package org.visualscratchpad.vision;

/**
 * Where one image token of the language model's input comes from: its crop, its patch in the
 * crop's grid, and the box it covers in the original image (LLaVA-NeXT's newline tokens have no
 * location and are not listed).
 *
 * <pre>{@code
 * jshell> new ImageTokenLocation(0, 0, 0, 0, 0, new PixelBox(0, 0, 14, 14))
 * }</pre>
 *
 * @param imageTokenIndex the index among the image tokens of the sequence (0-based, newlines excluded)
 * @param crop the crop (0 for LLaVA-1.5; for LLaVA-NeXT 0 is the base image, then the tiles)
 * @param patchRow the patch row in the crop's grid
 * @param patchCol the patch column in the crop's grid
 * @param patchIndex {@code patchRow * gridWidth + patchCol}; the SAE row is {@code patchIndex + 1}
 * @param box the covered pixels of the original image (clipped to it)
 */
public record ImageTokenLocation(
    int imageTokenIndex, int crop, int patchRow, int patchCol, int patchIndex, PixelBox box) {}
