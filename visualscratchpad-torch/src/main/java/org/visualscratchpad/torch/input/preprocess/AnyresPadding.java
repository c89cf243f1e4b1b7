package org.visualscratchpad.torch.input.preprocess;

/**
 * How {@code LlavaNextImageProcessor._pad_for_patching} pads the resized image to the pinpoint
 * resolution when the leftover is odd. The two rules differ only then.
 *
 * <pre>{@code
 * jshell> AnyresGeometry.plan(new ImageSize(50, 18), List.of(new ImageSize(56, 28)), 28, AnyresPadding.SYMMETRIC).canvas()
 * $1 ==> 56x27 (h x w)
 * }</pre>
 */
public enum AnyresPadding {
  /**
   * {@code (target - new) // 2} on both sides, as transformers 4.45 (the version that produced
   * {@code ../shared/fixtures/hf-reference}) does: with an odd leftover the canvas is one pixel
   * short, the last tile row/column is one pixel narrower, and the per-crop CLIP step resizes it
   * back up (shortest edge) and centre-crops it. The default.
   */
  SYMMETRIC,
  /**
   * The extra pixel of an odd leftover goes to the bottom/right, so the canvas is exactly the
   * pinpoint resolution (later transformers releases).
   */
  EXACT
}
