package org.visualscratchpad.spark;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.visualscratchpad.sae.stats.ImageEntry;

/** Datasets the tests write: image folders, WebDataset shards and Hugging Face-style Parquet files of the same images. */
final class TestData {
  private TestData() {}

  /** One image: id (label/name.ext), label, encoded bytes. */
  record Item(String id, String label, byte[] bytes) {}

  static byte[] png(BufferedImage img) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }

  static byte[] jpg(BufferedImage img) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "jpg", out);
    return out.toByteArray();
  }

  static BufferedImage noise(int w, int h, long seed, int tint) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, (rnd.nextInt(1 << 24) & 0x7F7F7F) | tint);
      }
    }
    return img;
  }

  /** Writes the items as a folder: root/label/name.ext. */
  static Path folder(Path root, List<Item> items) throws Exception {
    for (Item it : items) {
      Path f = root.resolve(it.id());
      Files.createDirectories(f.getParent());
      Files.write(f, it.bytes());
    }
    return root;
  }

  /** The items of a folder, as ImageEntry.fromFolder reads it. */
  static List<Item> read(Path root) throws Exception {
    List<Item> out = new ArrayList<>();
    for (ImageEntry e : ImageEntry.fromFolder(root)) {
      out.add(new Item(e.imageId(), e.label(), Files.readAllBytes(e.path())));
    }
    return out;
  }

  /**
   * WebDataset shards of the items, {@code perShard} samples each, in the given order: member {@code
   * key.ext} (key = the id without its extension) and the label as {@code key.cls} (or, every third
   * sample, {@code key.json} {"label": ...}; every fifth {@code key.txt}).
   */
  static List<Path> shards(Path dir, List<Item> items, int perShard) throws Exception {
    Files.createDirectories(dir);
    List<Path> shards = new ArrayList<>();
    for (int s = 0; s * perShard < items.size(); s++) {
      Path shard = dir.resolve(String.format("train-%06d.tar", s));
      try (OutputStream file = Files.newOutputStream(shard); TarArchiveOutputStream tar = new TarArchiveOutputStream(file)) {
        for (int i = s * perShard; i < Math.min(items.size(), (s + 1) * perShard); i++) {
          Item it = items.get(i);
          String key = it.id().substring(0, it.id().lastIndexOf('.'));
          String ext = it.id().substring(it.id().lastIndexOf('.') + 1);
          put(tar, key + "." + ext, it.bytes());
          if (i % 3 == 0) {
            put(tar, key + ".json", ("{\"label\": \"" + it.label() + "\", \"i\": " + i + "}").getBytes(StandardCharsets.UTF_8));
          } else if (i % 5 == 0) {
            put(tar, key + ".txt", (it.label() + "\n").getBytes(StandardCharsets.UTF_8));
          } else {
            put(tar, key + ".cls", it.label().getBytes(StandardCharsets.UTF_8));
          }
        }
      }
      shards.add(shard);
    }
    return shards;
  }

  static void put(TarArchiveOutputStream tar, String name, byte[] data) throws Exception {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(data.length);
    tar.putArchiveEntry(e);
    tar.write(data);
    tar.closeArchiveEntry();
  }

  /**
   * A Parquet file as Hugging Face datasets writes it: {@code image} struct of {@code bytes} and
   * {@code path}, {@code label} a ClassLabel index whose names are in the {@code huggingface} metadata.
   */
  static Path parquet(Path file, List<Item> items, List<String> labelNames) throws Exception {
    var schema = org.apache.parquet.schema.MessageTypeParser.parseMessageType(
        "message hf { optional group image { optional binary bytes; optional binary path (STRING); } optional int64 label; }");
    StringBuilder names = new StringBuilder();
    for (String n : labelNames) {
      names.append(names.length() == 0 ? "" : ",").append('"').append(n).append('"');
    }
    String hf = "{\"info\": {\"features\": {\"image\": {\"_type\": \"Image\"}, \"label\": {\"names\": [" + names
        + "], \"_type\": \"ClassLabel\"}}}}";
    var factory = new org.apache.parquet.example.data.simple.SimpleGroupFactory(schema);
    try (var writer = org.apache.parquet.hadoop.example.ExampleParquetWriter
        .builder(new org.apache.hadoop.fs.Path(file.toAbsolutePath().toUri()))
        .withType(schema).withExtraMetaData(Map.of("huggingface", hf)).build()) {
      for (Item it : items) {
        var g = factory.newGroup();
        var image = g.addGroup("image");
        image.add("bytes", org.apache.parquet.io.api.Binary.fromConstantByteArray(it.bytes()));
        image.add("path", it.id());
        g.add("label", (long) labelNames.indexOf(it.label()));
        writer.write(g);
      }
    }
    return file;
  }

  static void assertSameFiles(Path expected, Path actual, String... names) throws Exception {
    for (String n : names) {
      byte[] a = Files.readAllBytes(expected.resolve(n));
      byte[] b = Files.readAllBytes(actual.resolve(n));
      org.junit.jupiter.api.Assertions.assertArrayEquals(a, b, n + " differs between " + expected + " and " + actual);
    }
  }
}
