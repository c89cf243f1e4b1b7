package org.visualscratchpad.sae.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.sae.NoisyLatents;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.tensor.FloatMatrix;

class LatentStatisticsTest {
  private static final int D_SAE = 12;
  private static final String[] LABELS = {"cat", "dog", "car", ""};

  /** Random images: 1-2 crops of 5 tokens, activations on a 0.25 grid so that ties occur. */
  static List<ImageActivations> dataset(long seed, int n) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<ImageActivations> images = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int crops = 1 + rnd.nextInt(2);
      List<SparseActivations> list = new ArrayList<>();
      for (int c = 0; c < crops; c++) {
        float[] dense = new float[5 * D_SAE];
        for (int t = 0; t < dense.length; t++) {
          if (rnd.nextDouble() < 0.2) {
            dense[t] = 0.25f * (1 + rnd.nextInt(8));
          }
        }
        list.add(SparseActivations.fromDense(FloatMatrix.of(5, D_SAE, dense)));
      }
      images.add(new ImageActivations(String.format("img-%04d", i), LABELS[rnd.nextInt(LABELS.length)], list));
    }
    return images;
  }

  static LatentStatistics aggregate(List<ImageActivations> images, StatisticsOptions options) {
    LatentStatistics s = new LatentStatistics(D_SAE, options);
    images.forEach(s::add);
    return s;
  }

  @ParameterizedTest(name = "include CLS {0}")
  @ValueSource(booleans = {true, false})
  void statistics_equal_a_direct_dense_computation(boolean includeCls) {
    List<ImageActivations> images = dataset(99, 60);
    StatisticsOptions options = StatisticsOptions.defaults().withTopK(5).withCls(includeCls);
    LatentStatistics s = aggregate(images, options);
    assertEquals(60, s.images());
    for (int j = 0; j < D_SAE; j++) {
      long imageCount = 0;
      long patchCount = 0;
      double sum = 0;
      double sq = 0;
      double meanSum = 0;
      float max = 0;
      List<float[]> ranked = new ArrayList<>(); // {activation, image index}
      long tokens = 0;
      for (int i = 0; i < images.size(); i++) {
        double imageSum = 0;
        int counted = 0;
        boolean fired = false;
        for (SparseActivations c : images.get(i).crops()) {
          float[] dense = c.toDense().toArray();
          for (int r = includeCls ? 0 : 1; r < c.rows(); r++) {
            counted++;
            float v = dense[r * D_SAE + j];
            if (v != 0) {
              fired = true;
              patchCount++;
              sum += v;
              sq += v * v;
              imageSum += v;
              max = Math.max(max, v);
            }
          }
        }
        tokens += counted;
        if (fired) {
          imageCount++;
          float a = (float) (imageSum / counted);
          meanSum += a;
          ranked.add(new float[] {a, i});
        }
      }
      assertEquals(tokens, s.tokens());
      assertEquals(imageCount, s.imageCount(j), "image count of latent " + j);
      assertEquals(patchCount, s.patchCount(j), "patch count of latent " + j);
      assertEquals(sum, s.sum(j), 1e-6);
      assertEquals(sq, s.sumOfSquares(j), 1e-5);
      assertEquals(max, s.max(j));
      assertEquals(meanSum / 60, s.meanActivation(j), 1e-6);
      assertEquals(imageCount == 0 ? 0 : meanSum / imageCount, s.meanActivationWhenFiring(j), 1e-6);
      assertEquals(imageCount / 60.0, s.frequency(j), 1e-7);
      ranked.sort(Comparator.<float[]>comparingDouble(e -> -e[0]).thenComparingDouble(e -> e[1]));
      List<TopImage> top = s.topImages(j);
      assertEquals(Math.min(5, ranked.size()), top.size());
      for (int q = 0; q < top.size(); q++) {
        ImageActivations img = images.get((int) ranked.get(q)[1]);
        assertEquals(img.imageId(), top.get(q).imageId(), "rank " + q + " of latent " + j);
        assertEquals(ranked.get(q)[0], top.get(q).activation());
        assertEquals(img.label(), top.get(q).label());
        // the mask is the latent's column over all the image's tokens
        float[] expectedMask = new float[img.tokenCount()];
        int base = 0;
        for (SparseActivations c : img.crops()) {
          for (int r = 0; r < c.rows(); r++) {
            expectedMask[base + r] = c.get(r, j);
          }
          base += c.rows();
        }
        assertTrue(Arrays.equals(expectedMask, top.get(q).mask().toDense()), "mask of rank " + q);
      }
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void any_random_split_and_merge_order_gives_identical_statistics(long seed) {
    List<ImageActivations> images = dataset(1000 + seed, 80);
    StatisticsOptions options = StatisticsOptions.defaults().withTopK(4);
    LatentStatistics whole = aggregate(images, options);
    SplittableRandom rnd = new SplittableRandom(seed);
    List<ImageActivations> shuffled = new ArrayList<>(images);
    for (int i = shuffled.size() - 1; i > 0; i--) {
      java.util.Collections.swap(shuffled, i, rnd.nextInt(i + 1));
    }
    int parts = 2 + rnd.nextInt(6);
    List<LatentStatistics> partial = new ArrayList<>();
    for (int p = 0; p < parts; p++) {
      partial.add(new LatentStatistics(D_SAE, options));
    }
    for (ImageActivations img : shuffled) {
      partial.get(rnd.nextInt(parts)).add(img);
    }
    while (partial.size() > 1) { // merge random pairs, in random argument order
      LatentStatistics a = partial.remove(rnd.nextInt(partial.size()));
      LatentStatistics b = partial.remove(rnd.nextInt(partial.size()));
      partial.add(rnd.nextBoolean() ? LatentStatistics.merge(a, b) : LatentStatistics.merge(b, a));
    }
    assertEquals(whole, partial.get(0), "seed " + seed + ", " + parts + " parts");
    for (int j = 0; j < D_SAE; j++) {
      assertEquals(whole.topImages(j), partial.get(0).topImages(j), "top images of latent " + j + ", seed " + seed);
      assertEquals(whole.sum(j), partial.get(0).sum(j), 0.0);
      assertEquals(whole.labelEntropy(j), partial.get(0).labelEntropy(j), 0.0);
    }
  }

  @Test
  void merge_is_commutative_and_associative_and_leaves_its_inputs_unchanged() {
    List<ImageActivations> images = dataset(5, 30);
    StatisticsOptions o = StatisticsOptions.defaults().withTopK(3);
    LatentStatistics a = aggregate(images.subList(0, 10), o);
    LatentStatistics b = aggregate(images.subList(10, 20), o);
    LatentStatistics c = aggregate(images.subList(20, 30), o);
    LatentStatistics aCopy = aggregate(images.subList(0, 10), o);
    assertEquals(LatentStatistics.merge(a, b), LatentStatistics.merge(b, a));
    assertEquals(LatentStatistics.merge(LatentStatistics.merge(a, b), c), LatentStatistics.merge(a, LatentStatistics.merge(b, c)));
    assertEquals(aCopy, a);
    assertNotEquals(a, b);
    LatentStatistics inPlace = aggregate(images.subList(0, 10), o);
    inPlace.mergeFrom(b);
    assertEquals(LatentStatistics.merge(a, b), inPlace);
  }

  @Test
  void merging_statistics_with_other_options_is_refused() {
    LatentStatistics a = new LatentStatistics(D_SAE, StatisticsOptions.defaults());
    LatentStatistics b = new LatentStatistics(D_SAE, StatisticsOptions.defaults().withCls(false));
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> LatentStatistics.merge(a, b));
    assertTrue(e.getMessage().contains("options"), e.getMessage());
    assertThrows(InvalidInputException.class, () -> LatentStatistics.merge(a, new LatentStatistics(7, StatisticsOptions.defaults())));
  }

  @Test
  void statistics_load_back_identically_and_keep_accumulating_the_same(@TempDir Path tmp) {
    List<ImageActivations> images = dataset(77, 50);
    StatisticsOptions o = StatisticsOptions.defaults().withTopK(6).withCls(false);
    LatentStatistics s = aggregate(images.subList(0, 40), o);
    s.save(tmp.resolve("stats"));
    LatentStatistics back = LatentStatistics.load(tmp.resolve("stats"));
    assertEquals(s, back);
    assertEquals(s.toString(), back.toString());
    for (int j = 0; j < D_SAE; j++) {
      assertEquals(s.topImages(j), back.topImages(j));
      assertEquals(s.labelEntropy(j), back.labelEntropy(j), 0.0);
      assertEquals(s.meanActivation(j), back.meanActivation(j), 0.0);
    }
    images.subList(40, 50).forEach(s::add);
    images.subList(40, 50).forEach(back::add);
    assertEquals(s, back);
    assertEquals(aggregate(images, o), back);
  }

  @Test
  void loading_a_folder_without_statistics_names_the_file(@TempDir Path tmp) {
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> LatentStatistics.load(tmp));
    assertTrue(e.getMessage().contains("latent_stats.json"), e.getMessage());
  }

  private static ImageActivations image(String id, String label, float cls, float... patches) {
    float[] dense = new float[(patches.length + 1) * 2];
    dense[0] = cls;
    for (int p = 0; p < patches.length; p++) {
      dense[(p + 1) * 2] = patches[p];
    }
    return new ImageActivations(id, label, List.of(SparseActivations.fromDense(FloatMatrix.of(patches.length + 1, 2, dense))));
  }

  @Test
  void label_entropy_weights_labels_by_activation_and_is_minus_one_without_k_labels() {
    LatentStatistics s = new LatentStatistics(2, StatisticsOptions.defaults().withTopK(3));
    s.add(image("a", "cat", 0, 2, 2, 2));  // image activation 1.5 (CLS counted: 6 / 4)
    s.add(image("b", "cat", 0, 1, 1, 2));  // 1.0
    s.add(image("c", "dog", 0, 1, 1, 2));  // 1.0
    s.add(image("d", "dog", 0, 0, 0, 1));  // 0.25, not in the top 3
    double cat = 2.5 / 3.5;
    double dog = 1.0 / 3.5;
    assertEquals(-(cat * Math.log(cat) + dog * Math.log(dog)), s.labelEntropy(0), 1e-6);
    assertEquals(List.of("a", "b", "c"), s.topImages(0).stream().map(TopImage::imageId).toList());
    assertEquals(-1.0, s.labelEntropy(1), 0.0, "latent 1 never fired");

    LatentStatistics unlabelled = new LatentStatistics(2, StatisticsOptions.defaults().withTopK(3));
    unlabelled.add(image("a", "cat", 0, 2));
    unlabelled.add(image("b", "", 0, 2));
    unlabelled.add(image("c", "dog", 0, 2));
    assertEquals(-1.0, unlabelled.labelEntropy(0), 0.0, "only 2 of 3 entries labelled");
  }

  @Test
  void excluding_cls_ignores_row_zero_of_every_crop() {
    LatentStatistics with = new LatentStatistics(2, new StatisticsOptions(5, true));
    LatentStatistics without = new LatentStatistics(2, new StatisticsOptions(5, false));
    ImageActivations img = image("x", "", 4, 0, 1, 0);
    with.add(img);
    without.add(img);
    assertEquals(2, with.patchCount(0));
    assertEquals(1, without.patchCount(0));
    assertEquals(5.0 / 4, with.meanActivation(0), 1e-6);
    assertEquals(1.0 / 3, without.meanActivation(0), 1e-6);
    assertEquals(4f, with.max(0));
    assertEquals(1f, without.max(0));
    ImageActivations onlyCls = image("y", "", 3, 0, 0, 0);
    without.add(onlyCls);
    assertEquals(1, without.imageCount(0), "CLS-only firing does not count when CLS is excluded");
  }

  @Test
  void noisy_latents_are_the_top_percent_by_mean_activation_and_by_frequency_separately() {
    int dSae = 100;
    LatentStatistics s = new LatentStatistics(dSae, StatisticsOptions.defaults());
    for (int i = 0; i < 10; i++) {
      float[] dense = new float[2 * dSae];
      for (int j = 0; j < dSae; j++) {
        if (j == 7 || j == 8 || (j >= 20 && i < 1)) {
          dense[dSae + j] = 0.1f; // 7, 8 fire everywhere, weakly
        }
      }
      dense[dSae + 50] = i < 3 ? 9f : 0f; // 50 is rare but strong
      dense[dSae + 51] = i < 2 ? 8f : 0f;
      s.add(new ImageActivations("i" + i, "", List.of(SparseActivations.fromDense(FloatMatrix.of(2, dSae, dense)))));
    }
    NoisyLatents noisy = s.noisyLatents(2.0);
    assertEquals(java.util.BitSet.valueOf(new long[] {0}).getClass(), noisy.union().getClass());
    assertEquals(List.of(50, 51), noisy.byMeanActivation().stream().boxed().toList());
    assertEquals(List.of(7, 8), noisy.byFrequency().stream().boxed().toList());
    assertEquals(4, noisy.union().cardinality());
    assertTrue(noisy.isNoisy(51) && noisy.isNoisy(8) && !noisy.isNoisy(20));
  }

  @Test
  void an_image_from_another_sae_is_refused_and_nothing_is_counted() {
    LatentStatistics s = new LatentStatistics(D_SAE, StatisticsOptions.defaults());
    ImageActivations wrong = image("w", "", 1, 1);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> s.add(wrong));
    assertTrue(e.getMessage().contains("d_sae 2") && e.getMessage().contains("d_sae 12"), e.getMessage());
    assertEquals(0, s.images());
  }
}
