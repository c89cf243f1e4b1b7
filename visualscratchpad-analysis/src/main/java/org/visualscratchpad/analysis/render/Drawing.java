package org.visualscratchpad.analysis.render;

import java.util.function.Consumer;
import org.visualscratchpad.scratchpad.Picture;

/** Runs one drawing routine on a raster and, when wanted, an SVG canvas. */
final class Drawing {
  private Drawing() {}

  static Picture draw(int width, int height, boolean withSvg, Consumer<Canvas> routine) {
    RasterCanvas raster = new RasterCanvas(width, height);
    routine.accept(raster);
    String svg = null;
    if (withSvg) {
      SvgCanvas vector = new SvgCanvas(width, height);
      routine.accept(vector);
      svg = vector.finish();
    }
    return new Picture(raster.png(), svg);
  }
}
