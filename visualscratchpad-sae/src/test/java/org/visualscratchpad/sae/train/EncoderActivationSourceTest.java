package org.visualscratchpad.sae.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.sae.stats.ImageEntry;
import org.visualscratchpad.sae.stats.SkippedImage;
import org.visualscratchpad.sae.stats.TinyVisionEncoder;
import org.visualscratchpad.tensor.FloatMatrix;

class EncoderActivationSourceTest {

  @Test
  void batches_are_rows_of_the_encoder_output_and_training_runs_on_them(@TempDir Path tmp) throws Exception {
    for (int i = 0; i < 4; i++) {
      BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 16; x++) {
          img.setRGB(x, y, (i * 60 + x * 7) << 16 | (y * 13) << 8 | (x * y) & 255);
        }
      }
      ImageIO.write(img, "png", tmp.resolve("img" + i + ".png").toFile());
    }
    Files.writeString(tmp.resolve("readme.txt"), "not an image");
    TinyVisionEncoder encoder = new TinyVisionEncoder(8, 1);
    HookPoint hook = HookPoint.visionResidPost(1);
    List<SkippedImage> skipped = new ArrayList<>();
    List<ImageEntry> entries = ImageEntry.fromFolder(tmp);
    var src = new EncoderActivationSource(encoder, hook, entries, false, skipped::add);
    assertEquals(8, src.dIn());
    // every row of a batch is a patch row of one of the images
    Set<String> patchRows = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      FloatMatrix crop = encoder.residualStream(ImageIO.read(tmp.resolve("img" + i + ".png").toFile()), hook).get(0);
      for (int r = 1; r < crop.rows(); r++) {
        patchRows.add(java.util.Arrays.toString(crop.row(r)));
      }
    }
    FloatMatrix batch = src.batches(32, 9).next();
    assertEquals(32, batch.rows());
    for (int r = 0; r < 32; r++) {
      assertTrue(patchRows.contains(java.util.Arrays.toString(batch.row(r))), "row " + r + " is not a patch row");
    }
    assertTrue(skipped.stream().anyMatch(s -> s.path().endsWith("readme.txt")));
    assertEquals(batch, src.batches(32, 9).next(), "same seed, same batch");
    TrainingConfig cfg = TrainingConfig.paperDefaults(8, hook).withDSae(32).withL1(0.01, DecoderNorm.UNIT)
        .withLearningRate(1e-3).withTotalSteps(5).withThreads(1);
    TrainedSae sae = TrainingRun.run(cfg, src, new TrainingRun.Options(tmp.resolve("out"), 16, 5, 1, false),
        TrainingListener.none());
    assertEquals(5, sae.steps());
  }

  @Test
  void a_tower_without_cls_trains_on_row_0_too(@TempDir Path tmp) throws Exception {
    BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        img.setRGB(x, y, (x * 15) << 16 | (y * 13) << 8 | (x * y) & 255);
      }
    }
    ImageIO.write(img, "png", tmp.resolve("img.png").toFile());
    TinyVisionEncoder cls = new TinyVisionEncoder(8, 1);
    HookPoint hook = HookPoint.visionResidPost(1);
    String row0 = java.util.Arrays.toString(cls.residualStream(img, hook).get(0).row(0));
    // the same rows, from a tower that says its crops have no CLS (SigLIP): row 0 is a patch
    org.visualscratchpad.vision.VisionEncoder siglipLike = new org.visualscratchpad.vision.VisionEncoder() {
      public int numLayers() {
        return cls.numLayers();
      }

      public int hiddenSize() {
        return cls.hiddenSize();
      }

      public int imageSize() {
        return cls.imageSize();
      }

      public int patchSize() {
        return cls.patchSize();
      }

      @Override
      public boolean hasClsToken() {
        return false;
      }

      public List<FloatMatrix> residualStream(BufferedImage image, HookPoint h) {
        return cls.residualStream(image, h);
      }
    };
    for (boolean withCls : new boolean[] {true, false}) {
      var src = new EncoderActivationSource(withCls ? cls : siglipLike, hook, ImageEntry.fromFolder(tmp), false,
          s -> { });
      FloatMatrix batch = src.batches(64, 3).next();
      boolean seen = false;
      for (int r = 0; r < batch.rows(); r++) {
        seen |= java.util.Arrays.toString(batch.row(r)).equals(row0);
      }
      assertEquals(!withCls, seen, withCls ? "CLS left out" : "SigLIP's row 0 is a patch: trained on");
    }
  }

  @Test
  void a_source_without_any_readable_image_fails_instead_of_looping(@TempDir Path tmp) throws Exception {
    Files.writeString(tmp.resolve("a.txt"), "x");
    var src = new EncoderActivationSource(new TinyVisionEncoder(8, 1), HookPoint.visionResidPost(1),
        ImageEntry.fromFolder(tmp), true, s -> { });
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> src.batches(4, 1).next());
    assertTrue(e.getMessage().contains("none of the 1 images"), e.getMessage());
  }

  /** A tower that counts how often it runs. */
  static final class CountingEncoder implements org.visualscratchpad.vision.VisionEncoder {
    final TinyVisionEncoder tower = new TinyVisionEncoder(8, 1);
    final java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public int numLayers() {
      return tower.numLayers();
    }

    @Override
    public int hiddenSize() {
      return tower.hiddenSize();
    }

    @Override
    public int imageSize() {
      return tower.imageSize();
    }

    @Override
    public int patchSize() {
      return tower.patchSize();
    }

    @Override
    public List<FloatMatrix> residualStream(BufferedImage image, HookPoint hook) {
      runs.incrementAndGet();
      return tower.residualStream(image, hook);
    }
  }

  static List<ImageEntry> images(Path tmp, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 16; x++) {
          img.setRGB(x, y, (i * 40 + x * 7) << 16 | (y * 13 + i) << 8 | (x * y + i) & 255);
        }
      }
      ImageIO.write(img, "png", tmp.resolve("img" + i + ".png").toFile());
    }
    Files.writeString(tmp.resolve("readme.txt"), "not an image");
    return ImageEntry.fromFolder(tmp);
  }

  /** Issue 13 item 15: {@code sae train --images} runs the tower once, not once an epoch. */
  @Test
  void the_cached_source_runs_the_tower_once_and_gives_the_same_batches(@TempDir Path tmp) throws Exception {
    List<ImageEntry> entries = images(tmp, 5);
    HookPoint hook = HookPoint.visionResidPost(1);
    CountingEncoder plain = new CountingEncoder();
    CountingEncoder once = new CountingEncoder();
    List<SkippedImage> skipped = new ArrayList<>();
    var uncached = new EncoderActivationSource(plain, hook, entries, true, s -> { });
    try (var cached = EncoderActivationSource.cached(once, hook, entries, true, skipped::add, 1L << 30, tmp)) {
      assertEquals(5, once.runs.get(), "built: one run per readable image");
      assertEquals(1, skipped.size(), "an unreadable file is reported once");
      assertTrue(cached.cache().inMemory() && cached.cache().file() == null);
      var a = uncached.batches(8, 3);
      var b = cached.batches(8, 3);
      for (int i = 0; i < 60; i++) {
        assertEquals(a.next(), b.next(), "batch " + i);
      }
      assertTrue(plain.runs.get() > 3 * 5, "the plain source ran the tower " + plain.runs.get() + " times over the epochs");
      assertEquals(5, once.runs.get(), "the cached source never ran it again");
      assertEquals(1, skipped.size());
    }
  }

  @Test
  void rows_beyond_the_memory_limit_go_to_a_temporary_file_deleted_on_close(@TempDir Path tmp) throws Exception {
    List<ImageEntry> entries = images(tmp, 4);
    HookPoint hook = HookPoint.visionResidPost(1);
    var uncached = new EncoderActivationSource(new TinyVisionEncoder(8, 1), hook, entries, false, s -> { });
    Path spill = Files.createDirectories(tmp.resolve("spill"));
    var cached = EncoderActivationSource.cached(new TinyVisionEncoder(8, 1), hook, entries, false, s -> { }, 100, spill);
    Path file = cached.cache().file();
    assertTrue(!cached.cache().inMemory() && Files.isRegularFile(file) && file.startsWith(spill), cached.describe());
    assertEquals(cached.cache().bytes(), Files.size(file));
    var a = uncached.batches(8, 11);
    var b = cached.batches(8, 11);
    for (int i = 0; i < 30; i++) {
      assertEquals(a.next(), b.next(), "batch " + i);
    }
    cached.close();
    assertTrue(Files.notExists(file), "the temporary file is deleted");
  }
}
