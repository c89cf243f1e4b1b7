package org.visualscratchpad.sae.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.tensor.FloatMatrix;

class StatisticsRunTest {
  private static final HookPoint HOOK = HookPoint.visionResidPost(2);

  /** Folder with labels red/ and blue/ (6 images, one of them two-crop) plus a text file and a broken PNG. */
  private static Path dataset(Path root) throws Exception {
    SplittableRandom rnd = new SplittableRandom(3);
    for (String label : List.of("red", "blue")) {
      Path dir = Files.createDirectories(root.resolve(label));
      for (int i = 0; i < 3; i++) {
        int w = label.equals("blue") && i == 2 ? 32 : 16;
        BufferedImage img = new BufferedImage(w, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
          for (int x = 0; x < w; x++) {
            int base = label.equals("red") ? 0xC00000 : 0x0000C0;
            img.setRGB(x, y, base + new Color(rnd.nextInt(60), rnd.nextInt(60), rnd.nextInt(60)).getRGB() & 0xFFFFFF);
          }
        }
        ImageIO.write(img, "png", dir.resolve("img" + i + ".png").toFile());
      }
    }
    Files.writeString(root.resolve("red/notes.txt"), "not an image");
    Files.write(root.resolve("blue/broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
    return root;
  }

  @Test
  void statistics_over_a_folder_count_readable_images_and_report_the_others(@TempDir Path tmp) throws Exception {
    Path data = dataset(tmp.resolve("data"));
    TinyVisionEncoder encoder = new TinyVisionEncoder(8, 1);
    TinyReluSae sae = new TinyReluSae(8, 24, HOOK, 2);
    List<SkippedImage> reported = new ArrayList<>();
    List<ImageEntry> entries = ImageEntry.fromFolder(data);
    assertEquals(8, entries.size());
    StatisticsRun.Result r = StatisticsRun.run(encoder, sae, entries,
        new StatisticsRun.Options(tmp.resolve("out"), StatisticsOptions.defaults().withTopK(3), 2, false),
        new StatisticsRun.Listener() {
          @Override
          public void progress(int done, int total) {}

          @Override
          public void skipped(SkippedImage image) {
            reported.add(image);
          }
        });
    assertEquals(6, r.statistics().images());
    assertEquals(2, r.skipped().size());
    assertEquals(r.skipped(), reported);
    assertTrue(r.skipped().stream().anyMatch(s -> s.path().endsWith("notes.txt") && s.reason().contains("not an image")));
    assertTrue(r.skipped().stream().anyMatch(s -> s.path().endsWith("broken.png")));
    assertEquals(2, Files.readAllLines(tmp.resolve("out/skipped.txt")).size());
    // the same statistics as adding the encoded images by hand
    LatentStatistics expected = new LatentStatistics(24, StatisticsOptions.defaults().withTopK(3));
    for (ImageEntry e : entries) {
      BufferedImage img = ImageIO.read(e.path().toFile());
      if (img == null || e.path().toString().endsWith("broken.png")) {
        continue;
      }
      List<SparseActivations> codes = new ArrayList<>();
      for (FloatMatrix crop : encoder.residualStream(img, HOOK)) {
        codes.add(sae.encode(crop));
      }
      expected.add(new ImageActivations(e.imageId(), e.label(), codes));
    }
    assertEquals(expected, r.statistics());
    assertEquals(expected, LatentStatistics.load(tmp.resolve("out")));
    // labels come from the sub-folders; the two-crop image's masks cover both crops
    for (int j = 0; j < 24; j++) {
      for (TopImage t : r.statistics().topImages(j)) {
        assertEquals(t.imageId().substring(0, t.imageId().indexOf('/')), t.label());
        assertEquals(t.imageId().equals("blue/img2.png") ? 34 : 17, t.mask().tokenCount());
      }
    }
  }

  @Test
  void truncated_and_oversized_images_are_skipped_with_their_reason_and_listed_in_path_order(@TempDir Path tmp)
      throws Exception {
    Path data = dataset(tmp.resolve("data"));
    byte[] jpg = ImageDecodingTest.encoded("jpg", 30, 30);
    Files.write(data.resolve("red/a-cut.jpg"), java.util.Arrays.copyOf(jpg, jpg.length / 2));
    Files.write(data.resolve("blue/wide.png"), ImageDecodingTest.encoded("png", 200, 10));
    TinyVisionEncoder encoder = new TinyVisionEncoder(8, 1);
    TinyReluSae sae = new TinyReluSae(8, 24, HOOK, 2);
    StatisticsRun.Result r = StatisticsRun.run(encoder, sae, ImageEntry.fromFolder(data),
        new StatisticsRun.Options(tmp.resolve("out"), StatisticsOptions.defaults().withTopK(3), 100, false,
            new ImageDecoding.Limits(1 << 20, 1_000)), StatisticsRun.Listener.none());
    assertEquals(6, r.statistics().images());
    List<String> lines = Files.readAllLines(tmp.resolve("out/skipped.txt"));
    assertEquals(4, lines.size(), lines.toString());
    List<String> sorted = new ArrayList<>(lines);
    java.util.Collections.sort(sorted);
    assertEquals(sorted, lines, "skipped.txt is sorted by path");
    assertTrue(lines.stream().anyMatch(l -> l.contains("a-cut.jpg: truncated image")), lines.toString());
    assertTrue(lines.stream().anyMatch(l -> l.contains("wide.png: image too large (200 x 10 = 2000 pixels")), lines.toString());
  }

  @Test
  void an_interrupted_run_resumes_from_its_last_checkpoint_to_the_same_result(@TempDir Path tmp) throws Exception {
    Path data = dataset(tmp.resolve("data"));
    TinyVisionEncoder encoder = new TinyVisionEncoder(8, 1);
    TinyReluSae sae = new TinyReluSae(8, 24, HOOK, 2);
    List<ImageEntry> entries = ImageEntry.fromFolder(data);
    StatisticsRun.Options opts = new StatisticsRun.Options(tmp.resolve("out"), StatisticsOptions.defaults().withTopK(3), 2, true);
    StatisticsRun.Result straight = StatisticsRun.run(encoder, sae, entries,
        new StatisticsRun.Options(tmp.resolve("straight"), StatisticsOptions.defaults().withTopK(3), 2, true),
        StatisticsRun.Listener.none());
    List<Integer> seen = new ArrayList<>();
    assertThrows(IllegalStateException.class, () -> StatisticsRun.run(encoder, sae, entries, opts, new StatisticsRun.Listener() {
      @Override
      public void progress(int done, int total) {
        if (done == 5) {
          throw new IllegalStateException("interrupted after 5");
        }
      }

      @Override
      public void skipped(SkippedImage image) {}
    }));
    StatisticsRun.Result resumed = StatisticsRun.run(encoder, sae, entries, opts, new StatisticsRun.Listener() {
      @Override
      public void progress(int done, int total) {
        seen.add(done);
      }

      @Override
      public void skipped(SkippedImage image) {}
    });
    assertEquals(List.of(5, 6, 7, 8), seen, "resumes after the checkpoint at 4 images");
    assertEquals(straight.statistics(), resumed.statistics());
    assertEquals(straight.skipped(), resumed.skipped());
  }

  @Test
  void an_sae_whose_d_in_differs_from_the_encoder_is_refused_before_any_work(@TempDir Path tmp) throws Exception {
    Path data = dataset(tmp.resolve("data"));
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> StatisticsRun.run(
        new TinyVisionEncoder(8, 1), new TinyReluSae(12, 24, HOOK, 2), ImageEntry.fromFolder(data),
        new StatisticsRun.Options(tmp.resolve("out"), StatisticsOptions.defaults(), 2, false), StatisticsRun.Listener.none()));
    assertEquals("SAE d_in (12) does not match hook point vision.blocks.2.hook_resid_post (d_model 8). "
        + "Was this SAE trained on another model?", e.getMessage());
    assertFalse(Files.exists(tmp.resolve("out")));
    assertThrows(InvalidInputException.class, () -> StatisticsRun.checkCompatible(new TinyVisionEncoder(8, 1),
        new TinyReluSae(8, 24, HookPoint.visionResidPost(9), 2)));
  }

  @Test
  void a_csv_lists_paths_relative_to_itself_with_labels(@TempDir Path tmp) throws Exception {
    dataset(tmp.resolve("data"));
    Path csv = tmp.resolve("list.csv");
    Files.writeString(csv, "path,label\ndata/red/img0.png,red\n\"data/blue/img1.png\",\"blue, dark\"\ndata/red/img1.png\n");
    List<ImageEntry> entries = ImageEntry.fromCsv(csv);
    assertEquals(3, entries.size());
    assertEquals("blue, dark", entries.get(1).label());
    assertEquals("", entries.get(2).label());
    assertTrue(Files.isRegularFile(entries.get(1).path()));
    Files.writeString(csv, "a.png,x\na.png,y\n");
    assertThrows(org.visualscratchpad.CheckpointFormatException.class, () -> ImageEntry.fromCsv(csv));
  }
}
