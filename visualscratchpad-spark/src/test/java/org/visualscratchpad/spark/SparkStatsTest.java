package org.visualscratchpad.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.safetensors.SafetensorsWriter;
import org.visualscratchpad.sae.stats.ImageActivations;
import org.visualscratchpad.sae.stats.LatentStatistics;
import org.visualscratchpad.sae.stats.StatisticsOptions;
import org.visualscratchpad.cli.Vsp;
import org.visualscratchpad.samples.demo.ShippedDemo;
import org.visualscratchpad.samples.shapes.Scene;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.spark.cache.ActivationCache;

/**
 * The Spark job on {@code local[2]} against the single-machine {@code vsp stats}: the statistics
 * folder byte for byte, from a folder, WebDataset shards and Parquet files of the same images in
 * other orders and partitionings; bad data counted, listed and skipped; the activation cache. One
 * Spark session for the class.
 */
class SparkStatsTest {
  static final String[] FILES = {"latent_stats.json", "latent_stats.safetensors", "skipped.txt"};
  static SparkSession spark;

  @BeforeAll
  static void start() {
    SparkSessions.quiet();
    spark = SparkSessions.create("local[2]", "SparkStatsTest");
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  static Path fixture(String name) {
    Path p = Path.of(System.getProperty("vsp.shared.dir", "../../shared"), "fixtures", "hf-reference", name)
        .toAbsolutePath().normalize();
    if (!Files.isDirectory(p)) {
      String message = "fixture folder missing: " + p;
      if (Boolean.parseBoolean(System.getProperty("vsp.fixtures.required", String.valueOf(System.getenv("CI"))))) {
        org.junit.jupiter.api.Assertions.fail(message + "; CI requires every fixture");
      }
      org.junit.jupiter.api.Assumptions.assumeTrue(false, message);
    }
    return p;
  }

  /** A random SAELens SAE at vision layer {@code layer}. */
  static Path sae(Path folder, int dIn, int dSae, int layer, long seed) throws Exception {
    Files.createDirectories(folder);
    Random r = new Random(seed);
    float[] wEnc = new float[dIn * dSae];
    float[] wDec = new float[dSae * dIn];
    float[] bEnc = new float[dSae];
    for (int i = 0; i < wEnc.length; i++) {
      wEnc[i] = (float) (r.nextGaussian() / Math.sqrt(dIn));
      wDec[i] = (float) (r.nextGaussian() / Math.sqrt(dSae));
    }
    Arrays.fill(bEnc, 0.05f);
    new SafetensorsWriter().putFloats("W_enc", wEnc, dIn, dSae).putFloats("b_enc", bEnc, dSae)
        .putFloats("W_dec", wDec, dSae, dIn).putFloats("b_dec", new float[dIn], dIn)
        .write(folder.resolve("sae_weights.safetensors"));
    Files.writeString(folder.resolve("cfg.json"), "{\"architecture\":\"standard\",\"d_in\":" + dIn + ",\"d_sae\":" + dSae
        + ",\"hook_name\":\"vision.blocks." + layer + ".hook_resid_post\",\"apply_b_dec_to_input\":true,"
        + "\"dtype\":\"float32\",\"normalize_activations\":\"none\"}");
    return folder;
  }

  /** The single-machine run: vsp stats itself. */
  static Path singleMachine(Path model, Path sae, Path images, Path out, String... more) {
    List<String> args = new ArrayList<>(List.of("stats", "--model", model.toString(), "--sae", sae.toString(), "--images",
        images.toString(), "--out", out.toString(), "--top-k", "4"));
    args.addAll(List.of(more));
    assertEquals(0, Vsp.run(args.toArray(String[]::new)));
    return out;
  }

  static SparkStats.Result onSpark(DatasetSource source, Path model, Path sae, Path out, int partitions) {
    return SparkStats.run(spark, source, SparkStats.Job.of(model, sae).withOptions(StatisticsOptions.defaults().withTopK(4))
        .withPartitions(partitions), out, null);
  }

  @Test
  void the_demo_model_gives_the_single_machine_statistics_from_a_folder_tar_shards_and_parquet(@TempDir Path tmp)
      throws Exception {
    ShippedDemo.Folders demo = ShippedDemo.extract(tmp.resolve("demo"));
    SceneGenerator generator = new SceneGenerator();
    List<TestData.Item> items = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (int seed = 0; seed < 30; seed++) {
      Scene scene = generator.generate(seed, SceneDistribution.UNIFORM);
      String label = scene.objects().get(0).shape().word();
      if (!labels.contains(label)) {
        labels.add(label);
      }
      items.add(new TestData.Item(label + "/scene-" + seed + ".png", label,
          TestData.png(scene.image().toBufferedImage())));
    }
    Path images = TestData.folder(tmp.resolve("images"), items);
    Path single = singleMachine(demo.model(), demo.sae(), images, tmp.resolve("single"));
    int modelsBefore = EncoderLoader.loadedInThisJvm();

    SparkStats.Result folder = onSpark(new DatasetSource.Folder(images), demo.model(), demo.sae(), tmp.resolve("folder"), 3);
    TestData.assertSameFiles(single, tmp.resolve("folder"), FILES);
    assertEquals(30, folder.statistics().images());
    assertEquals(3, folder.timings().partitions());
    assertEquals(modelsBefore + 1, EncoderLoader.loadedInThisJvm(), "one model for the driver and both local executors");

    List<TestData.Item> shuffled = new ArrayList<>(TestData.read(images));
    Collections.shuffle(shuffled, new Random(7));
    TestData.shards(tmp.resolve("shards"), shuffled, 7);
    onSpark(new DatasetSource.Tar(List.of(tmp.resolve("shards").resolve("train-{000000..000004}.tar").toString())),
        demo.model(), demo.sae(), tmp.resolve("tar"), 0);
    TestData.assertSameFiles(single, tmp.resolve("tar"), FILES);

    Files.createDirectories(tmp.resolve("parquet"));
    List<TestData.Item> reversed = new ArrayList<>(shuffled);
    Collections.reverse(reversed);
    TestData.parquet(tmp.resolve("parquet/part-0.parquet"), reversed.subList(0, 11), labels);
    TestData.parquet(tmp.resolve("parquet/part-1.parquet"), reversed.subList(11, 30), labels);
    onSpark(new DatasetSource.Parquet(List.of(tmp.resolve("parquet").toString()), "image", "label", null), demo.model(),
        demo.sae(), tmp.resolve("pq"), 5);
    TestData.assertSameFiles(single, tmp.resolve("pq"), FILES);
    assertEquals(modelsBefore + 1, EncoderLoader.loadedInThisJvm(), "the model stays loaded across jobs");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"clip", "clip_vision_336style"})
  void a_clip_fixture_gives_the_single_machine_statistics_for_any_partitioning(String name, @TempDir Path tmp)
      throws Exception {
    Path model = fixture(name);
    int width = name.equals("clip") ? 32 : 64;
    Path sae = sae(tmp.resolve("sae"), width, 4 * width, 1, 3);
    List<TestData.Item> items = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      String label = i % 2 == 0 ? "warm" : "cold";
      byte[] bytes = i % 4 == 1 ? TestData.jpg(TestData.noise(37 + i, 29, i, label.equals("warm") ? 0x800000 : 0x000080))
          : TestData.png(TestData.noise(30 + i, 41 - i, i, label.equals("warm") ? 0x800000 : 0x000080));
      items.add(new TestData.Item(label + "/" + i + (i % 4 == 1 ? ".jpg" : ".png"), label, bytes));
    }
    Path images = TestData.folder(tmp.resolve("images"), items);
    Path single = singleMachine(model, sae, images, tmp.resolve("single"));
    for (int partitions : new int[] {1, 2, 5}) {
      Path out = tmp.resolve("spark-" + partitions);
      SparkStats.Result r = onSpark(new DatasetSource.Folder(images), model, sae, out, partitions);
      TestData.assertSameFiles(single, out, FILES);
      assertEquals(16, r.statistics().images());
    }
    // a CSV list of the same images, in another order: the same files as vsp stats --csv
    StringBuilder csv = new StringBuilder("path,label\n");
    for (int i = items.size() - 1; i >= 0; i--) {
      csv.append(items.get(i).id()).append(',').append(items.get(i).label()).append('\n');
    }
    Files.writeString(images.resolve("list.csv"), csv);
    assertEquals(0, Vsp.run("stats", "--model", model.toString(), "--sae", sae.toString(), "--csv",
        images.resolve("list.csv").toString(), "--out", tmp.resolve("single-csv").toString(), "--top-k", "4"));
    onSpark(new DatasetSource.Csv(images.resolve("list.csv")), model, sae, tmp.resolve("spark-csv"), 3);
    TestData.assertSameFiles(tmp.resolve("single-csv"), tmp.resolve("spark-csv"), FILES);
    TestData.assertSameFiles(single, tmp.resolve("spark-csv"), "latent_stats.json", "latent_stats.safetensors");
    LatentStatistics s = LatentStatistics.load(single);
    assertTrue(s.topImages(0).size() + s.topImages(1).size() + s.topImages(2).size() > 0, "latents fired");
  }

  @Test
  void bad_images_and_a_broken_shard_are_counted_listed_and_skipped_without_failing_the_job(@TempDir Path tmp)
      throws Exception {
    ShippedDemo.Folders demo = ShippedDemo.extract(tmp.resolve("demo"));
    List<TestData.Item> items = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      items.add(new TestData.Item("ok/" + i + ".png", "ok", TestData.png(TestData.noise(64, 64, i, 0))));
    }
    byte[] jpg = TestData.jpg(TestData.noise(64, 64, 99, 0));
    items.add(new TestData.Item("bad/cut.jpg", "bad", Arrays.copyOf(jpg, jpg.length * 2 / 3)));
    items.add(new TestData.Item("bad/notes.txt", "bad", "not an image".getBytes()));
    byte[] huge = TestData.png(TestData.noise(1, 1, 5, 0));
    java.nio.ByteBuffer.wrap(huge, 16, 8).putInt(300_000).putInt(300_000);
    items.add(new TestData.Item("bad/huge.png", "bad", huge));
    Path images = TestData.folder(tmp.resolve("images"), items);
    Path single = singleMachine(demo.model(), demo.sae(), images, tmp.resolve("single"));
    SparkStats.Result r = onSpark(new DatasetSource.Folder(images), demo.model(), demo.sae(), tmp.resolve("spark"), 4);
    TestData.assertSameFiles(single, tmp.resolve("spark"), FILES);
    assertEquals(6, r.statistics().images());
    assertEquals(3, r.skipped().size());
    String skipped = Files.readString(tmp.resolve("spark/skipped.txt"));
    assertTrue(skipped.contains("cut.jpg: truncated image"), skipped);
    assertTrue(skipped.contains("huge.png: image too large (300000 x 300000"), skipped);
    assertTrue(skipped.contains("notes.txt: not an image"), skipped);

    // tar shards: the same bad members, a sample without an image, and a shard cut in the middle
    TestData.shards(tmp.resolve("shards"), items, 5);
    try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(
        Files.newOutputStream(tmp.resolve("shards/train-000002.tar")))) {
      TestData.put(tar, "orphan/label-only.cls", "ok".getBytes());
      TestData.put(tar, "ok/extra.png", TestData.png(TestData.noise(64, 64, 1234, 0)));
      TestData.put(tar, "ok/extra.cls", "ok".getBytes());
    }
    List<TestData.Item> more = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      more.add(new TestData.Item("cut/" + i + ".png", "ok", TestData.png(TestData.noise(64, 64, 500 + i, 0))));
    }
    Path whole = TestData.shards(tmp.resolve("whole"), more, 10).get(0);
    byte[] bytes = Files.readAllBytes(whole);
    Files.write(tmp.resolve("shards/train-000003.tar"), Arrays.copyOf(bytes, bytes.length / 2));
    SparkStats.Result t = onSpark(new DatasetSource.Tar(List.of(tmp.resolve("shards").toString())), demo.model(),
        demo.sae(), tmp.resolve("tar"), 0);
    String listed = Files.readString(tmp.resolve("tar/skipped.txt"));
    assertTrue(listed.contains("cut.jpg: truncated image"), listed);
    assertTrue(listed.contains("orphan/label-only: WebDataset sample without an image member"), listed);
    assertTrue(listed.contains("train-000003.tar") && listed.contains("truncated or corrupt"), listed);
    assertEquals(Files.readAllLines(tmp.resolve("tar/skipped.txt")).size(), t.skipped().size());
    assertTrue(t.statistics().images() >= 7, "the whole shards and the readable part of the cut one count");
  }

  @Test
  void repeated_image_ids_are_refused_before_any_image_is_encoded(@TempDir Path tmp) throws Exception {
    ShippedDemo.Folders demo = ShippedDemo.extract(tmp.resolve("demo"));
    List<TestData.Item> items = List.of(new TestData.Item("a/1.png", "a", TestData.png(TestData.noise(20, 20, 1, 0))));
    TestData.shards(tmp.resolve("one"), items, 5);
    TestData.shards(tmp.resolve("two"), items, 5);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> onSpark(new DatasetSource.Tar(List.of(
        tmp.resolve("one").toString(), tmp.resolve("two").toString())), demo.model(), demo.sae(), tmp.resolve("out"), 0));
    assertTrue(e.getMessage().contains("a/1.png (2 times)"), e.getMessage());
    assertTrue(Files.notExists(tmp.resolve("out/latent_stats.json")));
  }

  @Test
  void cached_activations_read_back_to_the_same_statistics(@TempDir Path tmp) throws Exception {
    ShippedDemo.Folders demo = ShippedDemo.extract(tmp.resolve("demo"));
    List<TestData.Item> items = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      items.add(new TestData.Item((i % 3) + "/" + i + ".png", "" + (i % 3), TestData.png(TestData.noise(24, 24, i, 0))));
    }
    Path images = TestData.folder(tmp.resolve("images"), items);
    SparkStats.Result r = SparkStats.run(spark, new DatasetSource.Folder(images), SparkStats.Job.of(demo.model(), demo.sae())
        .withCache(tmp.resolve("codes")).withPartitions(1), tmp.resolve("out"), null);
    long shards;
    try (var files = Files.list(tmp.resolve("codes"))) {
      shards = files.count();
    }
    assertEquals(2, shards, "300 images in one partition: shards of 256 + 44");
    LatentStatistics again = new LatentStatistics(r.statistics().dSae(), StatisticsOptions.defaults());
    int n = 0;
    try (ActivationCache.Reader codes = ActivationCache.read(tmp.resolve("codes"))) {
      while (codes.hasNext()) {
        ImageActivations image = codes.next();
        again.add(image);
        n++;
      }
      assertEquals("vision.blocks.1.hook_resid_post", codes.hook());
    }
    assertEquals(300, n);
    assertEquals(r.statistics(), again);
  }
}
