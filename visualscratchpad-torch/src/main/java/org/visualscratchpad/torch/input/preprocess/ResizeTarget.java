package org.visualscratchpad.torch.input.preprocess;

import org.visualscratchpad.InvalidInputException;

/**
 * The {@code size} entry of {@code preprocessor_config.json}: either resize the shorter edge to a
 * length keeping the aspect ratio ({@code {"shortest_edge": 336}}) or resize to an exact size
 * ({@code {"height": 336, "width": 336}}).
 *
 * <pre>{@code
 * jshell> new ResizeTarget.ShortestEdge(336).outputSize(new ImageSize(480, 640))
 * $1 ==> 336x448 (h x w)
 * }</pre>
 */
public sealed interface ResizeTarget {

  /** The size an image of {@code input} size is resized to. */
  ImageSize outputSize(ImageSize input);

  /**
   * Shorter edge to {@code length}; longer edge {@code int(length * long / short)}, as HF's {@code
   * get_resize_output_image_size(default_to_square=False)} computes it.
   *
   * @param length the new shorter edge, &gt; 0
   */
  record ShortestEdge(int length) implements ResizeTarget {
    public ShortestEdge {
      InvalidInputException.check(length > 0, "size.shortest_edge (%s) must be positive", length);
    }

    @Override
    public ImageSize outputSize(ImageSize input) {
      int h = input.height();
      int w = input.width();
      int shortSide = Math.min(h, w);
      int longSide = Math.max(h, w);
      // Python: int(requested_new_short * long / short): integer product, then true division.
      int newLong = (int) ((double) ((long) length * longSide) / shortSide);
      return w <= h ? new ImageSize(newLong, length) : new ImageSize(length, newLong);
    }
  }

  /**
   * Exactly {@code size}, aspect ratio not kept.
   *
   * @param size the output size
   */
  record Exact(ImageSize size) implements ResizeTarget {
    public Exact {
      InvalidInputException.check(size != null, "size must not be null");
    }

    @Override
    public ImageSize outputSize(ImageSize input) {
      return size;
    }
  }
}
