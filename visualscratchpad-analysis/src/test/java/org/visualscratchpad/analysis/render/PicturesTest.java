package org.visualscratchpad.analysis.render;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.analysis.Fixtures;
import org.visualscratchpad.analysis.embedding.StatisticsScatter;
import org.visualscratchpad.sae.DatasetStatistics;
import org.visualscratchpad.analysis.heatmap.FilteredLatents;
import org.visualscratchpad.analysis.scratchpad.ScratchpadAnalysis;
import org.visualscratchpad.analysis.ranking.AttentionWeighting;
import org.visualscratchpad.analysis.ranking.AttentionScorer;
import org.visualscratchpad.analysis.ranking.PatchActivations;
import org.visualscratchpad.analysis.ranking.TokenLatentScores;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.scratchpad.ClusterOptions;
import org.visualscratchpad.scratchpad.HeatmapOptions;
import org.visualscratchpad.scratchpad.Picture;
import org.visualscratchpad.scratchpad.TokenLatentHeatmap;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.vision.ImageTokenLocation;
import org.visualscratchpad.vision.PixelBox;

/** Every picture, written to target/pictures/ for a person to look at, checked to decode and to be deterministic. */
class PicturesTest {
  static PatchActivations patches;
  static FloatMatrix attention;
  static List<String> tokens;
  static BufferedImage image;
  static List<ImageTokenLocation> locations;
  static DatasetStatistics stats;

  @BeforeAll
  static void load() {
    try (SafetensorsFile out = SafetensorsFile.open(Fixtures.scratchpadLlava().resolve("outputs.safetensors"));
        SafetensorsFile in = SafetensorsFile.open(Fixtures.scratchpadLlava().resolve("inputs.safetensors"));
        SafetensorsFile sparsity = SafetensorsFile.open(Fixtures.scratchpadLlava().resolve("sae/sparsity.safetensors"))) {
      patches = PatchActivations.llava15(SparseActivations.fromDense(out.floatMatrix("case0.sae_acts")));
      attention = out.floatMatrix("case0.attn.gen_producing");
      tokens = new ArrayList<>();
      long[] ids = out.longs("case0.generated_ids");
      for (int t = ids.length - 8; t < ids.length; t++) {
        tokens.add("tok" + ids[t]);
      }
      // raw_image.0: uint8 HWC [50, 38, 3]
      ByteBuffer raw = in.byteBuffer("raw_image.0");
      int h = 50;
      int w = 38;
      image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int at = (y * w + x) * 3;
          image.setRGB(x, y, ((raw.get(at) & 255) << 16) | ((raw.get(at + 1) & 255) << 8) | (raw.get(at + 2) & 255));
        }
      }
      // CLIP preprocessing: shortest edge 38 -> 42 (scale 42/38), centre crop 42x42 of 42 x 55: rows offset 6
      double s = 42.0 / 38.0;
      int top = (int) Math.round((Math.round(50 * s) - 42) / 2.0);
      locations = new ArrayList<>();
      for (int k = 0; k < 36; k++) {
        int r = k / 6;
        int c = k % 6;
        // rounded edges: neighbouring boxes share their edges exactly
        int x0 = (int) Math.round(c * 7 / s);
        int y0 = (int) Math.round((top + r * 7) / s);
        int x1 = (int) Math.round((c + 1) * 7 / s);
        int y1 = (int) Math.round((top + (r + 1) * 7) / s);
        locations.add(new ImageTokenLocation(k, 0, r, c, k, new PixelBox(x0, y0, Math.min(w, x1) - x0, Math.min(h, y1) - y0)));
      }
      float[] logFreq = sparsity.floats("sparsity");
      float[] mean = new float[logFreq.length];
      Random rnd = new Random(3);
      for (int j = 0; j < mean.length; j++) {
        mean[j] = (float) (Math.pow(10, logFreq[j]) * (1 + rnd.nextFloat())); // a stand-in: the fixture has no mean activations
      }
      stats = DatasetStatistics.fromLog10Sparsity(mean, logFreq);
    }
  }

  private static Picture checked(String name, Supplier<Picture> draw, boolean svgExpected) throws Exception {
    Picture a = draw.get();
    Picture b = draw.get();
    assertArrayEquals(a.png(), b.png(), name + ": the same input must give the same PNG bytes");
    assertEquals(a.svg(), b.svg(), name + ": the same input must give the same SVG");
    BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(a.png()));
    assertNotNull(decoded, name + " must decode as PNG");
    assertTrue(decoded.getWidth() > 100 && decoded.getHeight() > 100, name + " is too small");
    // not blank: more than 20 distinct colours
    java.util.Set<Integer> colours = new java.util.HashSet<>();
    for (int y = 0; y < decoded.getHeight(); y += 3) {
      for (int x = 0; x < decoded.getWidth(); x += 3) {
        colours.add(decoded.getRGB(x, y));
      }
    }
    assertTrue(colours.size() > 20, name + " looks blank (" + colours.size() + " colours)");
    assertEquals(svgExpected, a.svg().isPresent(), name + " svg presence");
    Path dir = Fixtures.pictures();
    a.save(dir.resolve(name + ".png"));
    if (a.svg().isPresent()) {
      DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(a.svg().get().getBytes(
          java.nio.charset.StandardCharsets.UTF_8)));
      a.save(dir.resolve(name + ".svg"));
    }
    return a;
  }

  @Test
  void heatmap_with_dendrogram_and_cluster_bands() throws Exception {
    TokenLatentHeatmap h = ScratchpadAnalysis.heatmap(patches, attention, tokens, stats,
        HeatmapOptions.defaults().withTopK(8).withNormalization(HeatmapOptions.Normalization.COLUMN));
    checked("heatmap", () -> h.cluster(ClusterOptions.defaults().withClusters(4)).picture(), true);
    checked("heatmap-kmeans", () -> h.cluster(ClusterOptions.defaults().withMethod(ClusterOptions.Method.KMEANS)
        .withClusters(4).withSeed(1)).picture(), true);
    checked("heatmap-unclustered", h::picture, true);
  }

  @Test
  void attention_overlay_on_the_fixture_image() throws Exception {
    float[] row = attention.row(0);
    checked("attention-token0", () -> AttentionPicture.render(image, row, locations, "token '" + tokens.get(0) + "'"), false);
    var bad = assertThrows(InvalidInputException.class, () -> AttentionPicture.render(image, new float[3], locations, "x"));
    assertTrue(bad.getMessage().contains("3 values but there are 36 image token locations"), bad.getMessage());
  }

  @Test
  void attention_overlay_is_anyres_aware() throws Exception {
    // a 336 x 336 image; crop 0 is the whole image on a 6x6 grid, crops 1..4 are its quadrants on 6x6 grids
    BufferedImage img = new BufferedImage(336, 336, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(200, 220, 240));
    g.fillRect(0, 0, 336, 336);
    g.setColor(new Color(200, 40, 40));
    g.fillOval(200, 40, 100, 100);
    g.setColor(new Color(40, 140, 40));
    g.fillRect(30, 220, 120, 80);
    g.dispose();
    List<ImageTokenLocation> locs = new ArrayList<>();
    List<Float> values = new ArrayList<>();
    int index = 0;
    for (int crop = 0; crop < 5; crop++) {
      int ox = crop == 0 ? 0 : ((crop - 1) % 2) * 168;
      int oy = crop == 0 ? 0 : ((crop - 1) / 2) * 168;
      int cell = crop == 0 ? 56 : 28;
      for (int p = 0; p < 36; p++) {
        int x = ox + (p % 6) * cell;
        int y = oy + (p / 6) * cell;
        locs.add(new ImageTokenLocation(index++, crop, p / 6, p % 6, p, new PixelBox(x, y, cell, cell)));
        // the token looks at the red circle (around x 250, y 90)
        double dx = x + cell / 2.0 - 250;
        double dy = y + cell / 2.0 - 90;
        values.add((float) Math.exp(-(dx * dx + dy * dy) / (2 * 40.0 * 40.0)) * (crop == 0 ? 0.004f : 0.002f));
      }
    }
    float[] a = new float[values.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = values.get(i);
    }
    Picture p = checked("attention-anyres", () -> AttentionPicture.render(img, a, locs, "token 'red' (anyres, 5 crops)"), false);
    // the hottest overlay pixel lies on the circle, not on the green box
    BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(p.png()));
    double s = 448.0 / 336;
    int ox = (int) (24 + 448);
    Color onCircle = new Color(decoded.getRGB(ox + (int) (250 * s), 40 + (int) (90 * s)));
    Color onBox = new Color(decoded.getRGB(ox + (int) (90 * s), 40 + (int) (260 * s)));
    // the colour scale runs dark blue -> yellow: hot pixels carry more green+red
    assertTrue(onCircle.getGreen() > onBox.getGreen(), onCircle + " vs " + onBox);
  }

  @Test
  void activation_bars_weighted_and_unweighted() throws Exception {
    TokenLatentScores s = new AttentionScorer(patches, attention, AttentionWeighting.RAW).scores(tokens);
    checked("bars-token0", () -> ActivationBarsPicture.render(tokens.get(0), s.row(0).topK(15),
        AttentionScorer.meanOverPatches(patches).topK(15)), true);
  }

  @Test
  void reference_images_with_patch_masks() throws Exception {
    int latent = AttentionScorer.meanOverPatches(patches).topK(1).get(0).latentId();
    float[] acts = patches.latentOverTokens(latent);
    BufferedImage square = new BufferedImage(42, 42, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = square.createGraphics();
    g.drawImage(image, 0, -6, 42, 55, null);
    g.dispose();
    Random rnd = new Random(1);
    List<BufferedImage> images = new ArrayList<>();
    List<float[]> masks = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      images.add(square);
      float[] m = acts.clone();
      for (int p = 0; p < m.length; p++) {
        m[p] *= i == 0 ? 1 : rnd.nextFloat();
      }
      masks.add(m);
    }
    checked("reference-images", () -> ReferenceImagesPicture.render(latent, images, masks, 6), false);
    assertThrows(InvalidInputException.class, () -> ReferenceImagesPicture.render(latent, images, masks, 5));
  }

  @Test
  void statistics_scatter_with_thresholds() throws Exception {
    var filtered = FilteredLatents.of(stats, HeatmapOptions.NoisyFilter.BOTH, 5);
    checked("statistics-scatter", () -> ScatterPicture.render(StatisticsScatter.of(stats, filtered).plot()), true);
  }
}
