package org.visualscratchpad.scratchpad;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.visualscratchpad.CheckpointFormatException;

/**
 * A rendered figure: PNG bytes, and SVG text where the figure stays small.
 *
 * <pre>{@code
 * jshell> answer.heatmap().picture().save(Path.of("out/heatmap.png"))
 * }</pre>
 */
public final class Picture {
  private final byte[] png;
  private final String svg;

  public Picture(byte[] png, String svg) {
    this.png = png.clone();
    this.svg = svg;
  }

  /** The PNG bytes (a copy). */
  public byte[] png() {
    return png.clone();
  }

  /** The SVG text, if this figure has one. */
  public Optional<String> svg() {
    return Optional.ofNullable(svg);
  }

  /** Writes the PNG (a path ending in .svg gets the SVG). */
  public Path save(Path file) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      if (file.toString().endsWith(".svg")) {
        Files.writeString(file, svg().orElseThrow(() -> new CheckpointFormatException(file,
            "this picture has no SVG form (too large); save it as .png")), StandardCharsets.UTF_8);
      } else {
        Files.write(file, png);
      }
      return file;
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "cannot write picture: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "Picture[png " + png.length + " bytes" + (svg == null ? "" : ", svg " + svg.length() + " chars") + "]";
  }
}
