package org.visualscratchpad.sae.train;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.sae.stats.ImageEntry;
import org.visualscratchpad.sae.stats.SkippedImage;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.vision.VisionEncoder;

/**
 * Training activations computed on the fly: images (in a seeded order, reshuffled every epoch) go
 * through a {@link VisionEncoder} up to a hook point, and every token row of every crop (CLS rows
 * optional) feeds a seeded shuffle buffer of {@code 16 x batchSize} rows. Unreadable files are
 * reported to a callback and skipped; a source in which no file is readable fails instead of
 * looping forever.
 *
 * <pre>{@code
 * jshell> var src = new EncoderActivationSource(clip, HookPoint.visionResidPost(22), ImageEntry.fromFolder(Path.of("val")), true, s -> System.err.println(s))
 * }</pre>
 *
 * <p>{@link #cached} runs the tower once and reads the rows back every epoch ({@code vsp sae train --images}
 * does); the plain constructor runs it for every image of every epoch.
 *
 * <p>Iterators are not thread-safe.
 */
public final class EncoderActivationSource implements ActivationSource {
  private final VisionEncoder encoder;
  private final HookPoint hook;
  private final List<ImageEntry> images;
  private final boolean includeCls;
  private final Consumer<SkippedImage> onSkipped;
  private final ActivationCache cache;   // null: the tower runs for every image of every epoch

  /**
   * @param encoder the vision tower
   * @param hook where to read it
   * @param images the dataset (at least one entry)
   * @param includeCls whether CLS rows are training rows (towers without CLS train on every row either way)
   * @param onSkipped told about each unreadable file, every time it is met
   */
  public EncoderActivationSource(VisionEncoder encoder, HookPoint hook, List<ImageEntry> images, boolean includeCls,
      Consumer<SkippedImage> onSkipped) {
    InvalidInputException.check(hook.layer() < encoder.numLayers(), "hook point %s must lie within the encoder's %s layers",
        hook, encoder.numLayers());
    InvalidInputException.check(!images.isEmpty(), "the image list must not be empty");
    this.encoder = encoder;
    this.hook = hook;
    this.images = List.copyOf(images);
    this.includeCls = includeCls;
    this.onSkipped = onSkipped;
    this.cache = null;
  }

  private EncoderActivationSource(VisionEncoder encoder, HookPoint hook, List<ImageEntry> images, boolean includeCls,
      Consumer<SkippedImage> onSkipped, ActivationCache cache) {
    this.encoder = encoder;
    this.hook = hook;
    this.images = List.copyOf(images);
    this.includeCls = includeCls;
    this.onSkipped = onSkipped;
    this.cache = cache;
  }

  /**
   * The same source with the tower run once: every image's rows are computed up front ({@link
   * ActivationCache}: in memory up to {@code memoryLimitBytes}, else in a temporary file in {@code
   * tempDir}) and every epoch reads them back. For a given seed it gives exactly the batches of the
   * uncached source; an unreadable file is reported once, while building.
   *
   * @throws InvalidInputException if no image is readable
   */
  public static EncoderActivationSource cached(VisionEncoder encoder, HookPoint hook, List<ImageEntry> images,
      boolean includeCls, Consumer<SkippedImage> onSkipped, long memoryLimitBytes, java.nio.file.Path tempDir) {
    InvalidInputException.check(hook.layer() < encoder.numLayers(), "hook point %s must lie within the encoder's %s layers",
        hook, encoder.numLayers());
    ActivationCache cache = ActivationCache.build(encoder, hook, images, includeCls, onSkipped, memoryLimitBytes, tempDir);
    return new EncoderActivationSource(encoder, hook, images, includeCls, onSkipped, cache);
  }

  /** The cache of a {@link #cached} source (where its rows are), or null. */
  public ActivationCache cache() {
    return cache;
  }

  @Override
  public int dIn() {
    return encoder.hiddenSize();
  }

  @Override
  public Iterator<FloatMatrix> batches(int batchSize, long seed) {
    InvalidInputException.check(batchSize > 0, "batch size (%s) must be > 0", batchSize);
    int d = dIn();
    return new Iterator<>() {
      private final SplittableRandom rnd = new SplittableRandom(seed);
      private final int capacity = 16 * batchSize;
      private final float[] buffer = new float[Math.multiplyExact(capacity, d)];
      private int buffered;
      private int[] order = new int[0];
      private int position;
      private int failuresInARow;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public FloatMatrix next() {
        while (buffered < capacity) {
          if (position >= order.length) {
            order = shuffled(images.size(), rnd);
            position = 0;
          }
          int index = order[position++];
          if (cache != null) {
            float[] block = cache.rowsOf(index);   // null: unreadable, reported when the cache was built
            for (int r = 0; block != null && r < block.length / d && buffered < capacity; r++) {
              System.arraycopy(block, r * d, buffer, buffered * d, d);
              buffered++;
            }
            continue;
          }
          ImageEntry entry = images.get(index);
          BufferedImage img;
          try {
            img = ImageIO.read(entry.path().toFile());
          } catch (IOException | RuntimeException e) {
            img = null;
          }
          if (img == null) {
            onSkipped.accept(new SkippedImage(entry.path().toString(), "not a readable image"));
            InvalidInputException.check(++failuresInARow < images.size(),
                "none of the %s images could be read (last: %s)", images.size(), entry.path());
            continue;
          }
          failuresInARow = 0;
          for (FloatMatrix crop : encoder.residualStream(img, hook)) {
            // a tower without CLS (SigLIP) has none to leave out: row 0 is a patch
            for (int r = includeCls || !encoder.hasClsToken() ? 0 : 1; r < crop.rows() && buffered < capacity; r++) {
              crop.copyRowInto(r, buffer, buffered * d);
              buffered++;
            }
          }
        }
        float[] out = new float[batchSize * d];
        for (int r = 0; r < batchSize; r++) {
          int pick = rnd.nextInt(buffered);
          System.arraycopy(buffer, pick * d, out, r * d, d);
          System.arraycopy(buffer, (buffered - 1) * d, buffer, pick * d, d);
          buffered--;
        }
        return FloatMatrix.adopt(batchSize, d, out);
      }
    };
  }

  private static int[] shuffled(int n, SplittableRandom rnd) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  @Override
  public String describe() {
    return "EncoderActivationSource[" + images.size() + " images through " + encoder.getClass().getSimpleName() + " at "
        + hook + ", d_in " + dIn() + ", CLS " + (includeCls ? "included" : "excluded")
        + (cache == null ? ", the tower run every epoch" : ", the tower run once: " + cache) + "]";
  }

  /** Deletes the cache's temporary file, if any; the encoder belongs to the caller. */
  @Override
  public void close() {
    if (cache != null) {
      cache.close();
    }
  }

  @Override
  public String toString() {
    return describe();
  }
}
