package org.visualscratchpad.server;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.input.image.ImageDecoder;
import org.visualscratchpad.torch.input.image.RgbImage;

/**
 * Decodes an uploaded image (base64 or a {@code data:} URL) with the server's limits: the encoded
 * size is checked before base64 decoding, and the pixel count is read from the image header and
 * checked before the pixels are decoded, so a small file that claims a huge image is refused
 * (413) without allocating it. The pixels are then decoded by the model runtime's {@link
 * ImageDecoder} with the same limit, so the page sees the image exactly as the model does.
 * Formats: whatever ImageIO reads here (PNG, JPEG with TwelveMonkeys, GIF, BMP).
 *
 * <pre>{@code
 * jshell> BufferedImage img = ImageUpload.decode("data:image/png;base64,iVBOR...", ServerOptions.defaults())
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class ImageUpload {
  private ImageUpload() {}

  /**
   * Decodes {@code encoded} (base64, optionally as a {@code data:image/...;base64,} URL).
   *
   * @throws WebRequestException 413 when it is larger than the limits, 400 when it is not an image
   */
  public static BufferedImage decode(String encoded, ServerOptions options) {
    return decode(bytes(encoded, options), options);
  }

  /**
   * The file bytes of {@code encoded} (base64, optionally as a {@code data:image/...;base64,} URL), its
   * size checked before decoding.
   *
   * @throws WebRequestException 413 when it is larger than the limits, 400 when it is not base64
   */
  public static byte[] bytes(String encoded, ServerOptions options) {
    if (encoded == null || encoded.isBlank()) {
      throw new WebRequestException(400, "field 'image' is missing. Upload or pick an image first.");
    }
    String b64 = encoded;
    if (b64.startsWith("data:")) {
      int comma = b64.indexOf(',');
      if (comma < 0 || !b64.substring(0, comma).endsWith(";base64")) {
        throw new WebRequestException(400, "field 'image' is a data URL without ';base64,'. Send the image as base64.");
      }
      b64 = b64.substring(comma + 1);
    }
    long approxBytes = (long) b64.length() / 4 * 3;
    if (approxBytes > options.maxImageBytes()) {
      throw WebRequestException.tooLarge("image", approxBytes, options.maxImageBytes(), "Send a smaller or compressed image.");
    }
    try {
      return Base64.getDecoder().decode(b64.replaceAll("\\s+", ""));
    } catch (IllegalArgumentException e) {
      throw new WebRequestException(400, "field 'image' is not valid base64 (" + e.getMessage() + ").");
    }
  }

  /**
   * The image's width and height read from its header, checked against the limits; no pixel is decoded.
   *
   * @throws WebRequestException 413 when larger than the limits, 400 when not a readable image
   */
  public static java.awt.Dimension size(byte[] bytes, ServerOptions options) {
    if (bytes.length > options.maxImageBytes()) {
      throw WebRequestException.tooLarge("image", bytes.length, options.maxImageBytes(), "Send a smaller or compressed image.");
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
      if (readers == null || !readers.hasNext()) {
        throw new WebRequestException(400, "the uploaded file (" + bytes.length
            + " bytes) is not an image this server can read. Send a PNG, JPEG, GIF or BMP file.");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        long width = reader.getWidth(0);
        long height = reader.getHeight(0);
        if (width <= 0 || height <= 0) {
          throw new WebRequestException(400, "the uploaded image has no pixels (" + width + " x " + height + ").");
        }
        if (width * height > options.maxImagePixels()) {
          throw new WebRequestException(413, "image size (" + width + " x " + height + " = " + width * height
              + " pixels) must be at most " + options.maxImagePixels() + " pixels. Resize the image.");
        }
        return new java.awt.Dimension((int) width, (int) height);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof WebRequestException w) {
        throw w;
      }
      throw new WebRequestException(400, "the uploaded image could not be decoded (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "). Send an intact PNG or JPEG file.", e);
    }
  }

  /**
   * Decodes image file bytes.
   *
   * @throws WebRequestException 413 when larger than the limits, 400 when not a readable image
   */
  public static BufferedImage decode(byte[] bytes, ServerOptions options) {
    size(bytes, options);
    // the pixels: decoded by the model runtime's decoder (same pixel limit, CMYK JPEGs converted)
    RgbImage rgb;
    try {
      rgb = ImageDecoder.defaults().withMaxPixels(options.maxImagePixels()).decode(bytes, "upload");
    } catch (InvalidInputException e) {
      throw new WebRequestException(400, "the uploaded image could not be decoded: " + e.getMessage(), e);
    }
    int w = rgb.width();
    int h = rgb.height();
    byte[] hwc = rgb.toBytes();
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] row = new int[w];   // one row at a time: no second full-size array
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        row[x] = (hwc[3 * i] & 0xff) << 16 | (hwc[3 * i + 1] & 0xff) << 8 | (hwc[3 * i + 2] & 0xff);
      }
      image.setRGB(0, y, w, 1, row, 0, w);
    }
    return image;
  }
}
