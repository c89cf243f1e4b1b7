package org.visualscratchpad.server;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * Where a held answer's full-resolution image comes from when it is needed again (to regenerate the
 * answer under an edit): a built-in picture, re-rendered, or the encoded file bytes (the upload as
 * sent, or a lossless PNG), decoded again. The server keeps this instead of the decoded pixels, which
 * take 4 bytes a pixel (a 7999 x 7999 upload of 186 KB is 256 MB decoded).
 *
 * <pre>{@code
 * jshell> ImageSource.encoded(bytes).load(ServerOptions.defaults())
 * }</pre>
 *
 * @param sample the built-in picture, or null
 * @param encoded the image file's bytes, or null (for a sample)
 */
record ImageSource(SampleImage sample, byte[] encoded) {

  static ImageSource sample(SampleImage s) {
    return new ImageSource(s, null);
  }

  static ImageSource encoded(byte[] bytes) {
    return new ImageSource(null, bytes);
  }

  /** A lossless PNG of {@code image} (for answers made outside the server, handed in with {@code show}). */
  static ImageSource png(BufferedImage image) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(image, "png", out);
      return encoded(out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The image again, pixel for pixel as first decoded. */
  BufferedImage load(ServerOptions options) {
    return sample != null ? sample.render() : ImageUpload.decode(encoded, options);
  }

  /** Bytes this source keeps. */
  long bytes() {
    return encoded == null ? 64 : encoded.length + 64L;
  }

  @Override
  public String toString() {
    return sample != null ? "sample " + sample.slug() : "image file of " + encoded.length + " bytes";
  }
}
