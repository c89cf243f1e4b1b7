package org.visualscratchpad.sae.train;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.sae.stats.ImageEntry;
import org.visualscratchpad.sae.stats.SkippedImage;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.vision.VisionEncoder;

/**
 * The training rows of every image, computed once: each image goes through the vision tower up to the
 * hook a single time, and its rows (every crop's, CLS rows optional) are kept in memory while they fit
 * in {@code memoryLimitBytes}, else all of them in a temporary file (float32, little-endian) that
 * {@link #close()} deletes. Epochs then read the rows back instead of running the tower again.
 *
 * <pre>{@code
 * jshell> var cache = ActivationCache.build(clip, HookPoint.visionResidPost(22), images, true, s -> {}, 1L << 30, tmp)
 * cache ==> ActivationCache[1000 images, 577000 rows x 1024 (2.2 GiB) in a temporary file /tmp/vsp-acts-....bin]
 * }</pre>
 *
 * <p>Reads are thread-safe (positional reads on the file).
 */
public final class ActivationCache implements AutoCloseable {
  private final int dIn;
  private final int images;
  private final float[][] inMemory;   // per image [rows x d], or null when spilled to the file
  private final long[] offset;        // per image, its first float in the file (-1: unreadable image)
  private final int[] rows;           // per image, its rows (-1: unreadable image)
  private final Path file;            // null while everything is in memory
  private final FileChannel channel;
  private final long totalRows;

  private ActivationCache(int dIn, float[][] inMemory, long[] offset, int[] rows, Path file, FileChannel channel,
      long totalRows) {
    this.dIn = dIn;
    this.images = rows.length;
    this.inMemory = inMemory;
    this.offset = offset;
    this.rows = rows;
    this.file = file;
    this.channel = channel;
    this.totalRows = totalRows;
  }

  /**
   * Runs {@code encoder} once over {@code images} and keeps their rows.
   *
   * @param onSkipped told once about each unreadable file
   * @param memoryLimitBytes the most rows kept on the heap; beyond it, all go to a file in {@code tempDir}
   * @param tempDir where the file goes (null: the system's temporary folder)
   * @throws InvalidInputException if no image is readable
   * @throws CheckpointFormatException if the temporary file cannot be written
   */
  public static ActivationCache build(VisionEncoder encoder, HookPoint hook, List<ImageEntry> images, boolean includeCls,
      Consumer<SkippedImage> onSkipped, long memoryLimitBytes, Path tempDir) {
    InvalidInputException.check(!images.isEmpty(), "the image list must not be empty");
    int d = encoder.hiddenSize();
    int n = images.size();
    float[][] blocks = new float[n][];
    long[] offset = new long[n];
    int[] rows = new int[n];
    long bytes = 0;
    long total = 0;
    Path file = null;
    FileChannel channel = null;
    long fileFloats = 0;
    int readable = 0;
    try {
      for (int i = 0; i < n; i++) {
        ImageEntry entry = images.get(i);
        BufferedImage img;
        try {
          img = ImageIO.read(entry.path().toFile());
        } catch (IOException | RuntimeException e) {
          img = null;
        }
        if (img == null) {
          onSkipped.accept(new SkippedImage(entry.path().toString(), "not a readable image"));
          rows[i] = -1;
          offset[i] = -1;
          continue;
        }
        readable++;
        List<FloatMatrix> crops = encoder.residualStream(img, hook);
        int count = 0;
        for (FloatMatrix crop : crops) {
          count += crop.rows() - (includeCls ? 0 : 1);
        }
        float[] block = new float[Math.multiplyExact(count, d)];
        int r = 0;
        for (FloatMatrix crop : crops) {
          for (int row = includeCls ? 0 : 1; row < crop.rows(); row++) {
            crop.copyRowInto(row, block, r++ * d);
          }
        }
        rows[i] = count;
        total += count;
        bytes += 4L * block.length;
        if (channel == null && bytes > memoryLimitBytes) {
          // spill: everything so far, then every later image, goes to the file
          file = Files.createTempFile(tempDir == null ? Path.of(System.getProperty("java.io.tmpdir")) : tempDir,
              "vsp-acts-", ".bin");
          file.toFile().deleteOnExit();
          channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
          for (int j = 0; j < i; j++) {
            if (blocks[j] != null) {
              offset[j] = fileFloats;
              fileFloats += write(channel, blocks[j], fileFloats);
              blocks[j] = null;
            }
          }
        }
        if (channel != null) {
          offset[i] = fileFloats;
          fileFloats += write(channel, block, fileFloats);
        } else {
          blocks[i] = block;
          offset[i] = 0;
        }
      }
    } catch (IOException e) {
      closeQuietly(channel, file);
      throw new CheckpointFormatException(file, "cannot write the activation cache: " + e.getMessage()
          + ". Free disk space in the temporary folder or set java.io.tmpdir.", e);
    } catch (RuntimeException e) {
      closeQuietly(channel, file);
      throw e;
    }
    if (readable == 0) {
      closeQuietly(channel, file);
      throw new InvalidInputException("none of the " + n + " images could be read (last: " + images.get(n - 1).path() + ")");
    }
    return new ActivationCache(d, channel == null ? blocks : null, offset, rows, file, channel, total);
  }

  private static long write(FileChannel channel, float[] block, long atFloat) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(4 * block.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(block);
    long pos = 4 * atFloat;
    while (buf.hasRemaining()) {
      pos += channel.write(buf, pos);
    }
    return block.length;
  }

  private static void closeQuietly(FileChannel channel, Path file) {
    try {
      if (channel != null) {
        channel.close();
      }
      if (file != null) {
        Files.deleteIfExists(file);
      }
    } catch (IOException ignored) {
      // best effort: the file is also deleted on exit
    }
  }

  /** Width of every row. */
  public int dIn() {
    return dIn;
  }

  /** The number of images (readable or not). */
  public int images() {
    return images;
  }

  /** The rows of image {@code index}, {@code [rows x d_in]} flat; null for an unreadable image. */
  public float[] rowsOf(int index) {
    if (rows[index] < 0) {
      return null;
    }
    if (inMemory != null) {
      return inMemory[index];
    }
    float[] out = new float[rows[index] * dIn];
    ByteBuffer buf = ByteBuffer.allocate(4 * out.length).order(ByteOrder.LITTLE_ENDIAN);
    long pos = 4 * offset[index];
    try {
      while (buf.hasRemaining()) {
        int read = channel.read(buf, pos + buf.position());
        if (read < 0) {
          throw new IOException("unexpected end of file");
        }
      }
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "cannot read the activation cache: " + e.getMessage(), e);
    }
    buf.flip();
    buf.asFloatBuffer().get(out);
    return out;
  }

  /** Whether the rows are on the heap (else in {@link #file()}). */
  public boolean inMemory() {
    return inMemory != null;
  }

  /** The temporary file holding the rows, or null when they are in memory. */
  public Path file() {
    return file;
  }

  /** Bytes the rows take. */
  public long bytes() {
    return 4L * totalRows * dIn;
  }

  /** Rows of all images. */
  public long totalRows() {
    return totalRows;
  }

  /** Deletes the temporary file, if any. Never throws. */
  @Override
  public void close() {
    closeQuietly(channel, file);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "ActivationCache[%d images, %d rows x %d (%.1f MiB) %s]", images, totalRows, dIn,
        bytes() / 1048576.0, inMemory() ? "in memory" : "in a temporary file " + file);
  }
}
