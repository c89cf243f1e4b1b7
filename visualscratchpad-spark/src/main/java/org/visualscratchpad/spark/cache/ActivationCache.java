package org.visualscratchpad.spark.cache;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.safetensors.SafetensorsWriter;
import org.visualscratchpad.sae.stats.ImageActivations;

/**
 * SAE codes per image, cached as sharded safetensors files ({@code vsp stats --cache-activations
 * DIR}), so that later analyses (statistics with other options, label studies, probes) read them
 * without running the vision tower again. Plain Java: reading needs no Spark.
 *
 * <pre>
 *   DIR/codes-PPPPP-SSSS.safetensors   partition PPPPP's shard SSSS (at most 256 images each)
 *     image_crops [images + 1]   I32  first crop of each image (CSR over crops)
 *     crop_rows   [crops + 1]    I32  first row of each crop (CSR over rows; rows = tokens, row 0 of a crop = CLS)
 *     row_nnz     [rows + 1]     I64  first code of each row
 *     latent      [nnz]          I32  latent ids, ascending within a row
 *     value       [nnz]          F32  activations
 *     metadata: format "visualscratchpad-sae-codes", version 1, d_sae, hook, ids and labels (JSON arrays)
 * </pre>
 *
 * <pre>{@code
 * jshell> try (var codes = ActivationCache.read(Path.of("codes"))) {
 *    ...>   codes.forEachRemaining(image -> stats.add(image));
 *    ...> }
 * }</pre>
 *
 * Shards are named by partition, so the set of images is the same for any partitioning but their
 * split into files is not; {@link #read} returns them in file-name order. A rerun of the job replaces
 * the shards ({@code vsp stats} deletes the old {@code codes-*.safetensors} of {@code DIR} first).
 */
public final class ActivationCache {
  static final String FORMAT = "visualscratchpad-sae-codes";
  /** Images per shard file. */
  static final int IMAGES_PER_SHARD = 256;

  private ActivationCache() {}

  /** A writer for one partition's shards. */
  public static Writer writer(Path dir, int partition, int dSae, HookPoint hook) {
    return new Writer(dir, partition, dSae, hook);
  }

  /** Deletes the shard files of an earlier run in {@code dir} (nothing else). */
  public static void clear(Path dir) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(ActivationCache::isShard).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new CheckpointFormatException(dir, "cannot clear the activation cache: " + e.getMessage(), e);
    }
  }

  private static boolean isShard(Path p) {
    String n = p.getFileName().toString();
    return n.startsWith("codes-") && n.endsWith(".safetensors") && Files.isRegularFile(p);
  }

  /**
   * Every image of the cache in {@code dir}, shard by shard in file-name order.
   *
   * @throws CheckpointFormatException if the folder has no shard, or a shard is malformed or of
   *     another SAE width (while iterating, naming the file)
   */
  public static Reader read(Path dir) {
    List<Path> shards;
    try (Stream<Path> files = Files.list(dir)) {
      shards = files.filter(ActivationCache::isShard).sorted().toList();
    } catch (IOException e) {
      throw new CheckpointFormatException(dir, "cannot list the activation cache: " + e.getMessage()
          + ". Write one with vsp stats --spark ... --cache-activations DIR.", e);
    }
    if (shards.isEmpty()) {
      throw new CheckpointFormatException(dir, "holds no codes-*.safetensors shard. Write them with vsp stats --spark ... "
          + "--cache-activations DIR.");
    }
    return new Reader(shards);
  }

  /** Collects one partition's codes and writes a shard every {@value #IMAGES_PER_SHARD} images. Not thread-safe. */
  public static final class Writer implements AutoCloseable {
    private final Path dir;
    private final int partition;
    private final int dSae;
    private final HookPoint hook;
    private final List<ImageActivations> pending = new ArrayList<>();
    private int shard;

    Writer(Path dir, int partition, int dSae, HookPoint hook) {
      InvalidInputException.check(partition >= 0, "partition (%s) must be >= 0", partition);
      this.dir = dir;
      this.partition = partition;
      this.dSae = dSae;
      this.hook = hook;
    }

    /** Adds one image's codes. */
    public void add(ImageActivations image) {
      InvalidInputException.check(image.dSae() == dSae, "image %s has d_sae %s; this cache has %s", image.imageId(),
          image.dSae(), dSae);
      pending.add(image);
      if (pending.size() == IMAGES_PER_SHARD) {
        flush();
      }
    }

    private void flush() {
      if (pending.isEmpty()) {
        return;
      }
      int crops = 0;
      int rows = 0;
      long nnz = 0;
      for (ImageActivations a : pending) {
        crops += a.crops().size();
        for (SparseActivations c : a.crops()) {
          rows += c.rows();
          nnz += c.nnz();
        }
      }
      InvalidInputException.check(nnz <= Integer.MAX_VALUE - 8, "shard of %s images holds %s codes", pending.size(), nnz);
      int[] imageCrops = new int[pending.size() + 1];
      int[] cropRows = new int[crops + 1];
      long[] rowNnz = new long[rows + 1];
      int[] latent = new int[(int) nnz];
      float[] value = new float[(int) nnz];
      List<String> ids = new ArrayList<>();
      List<String> labels = new ArrayList<>();
      int ci = 0;
      int ri = 0;
      int at = 0;
      for (int i = 0; i < pending.size(); i++) {
        ImageActivations a = pending.get(i);
        ids.add(a.imageId());
        labels.add(a.label());
        for (SparseActivations c : a.crops()) {
          for (int r = 0; r < c.rows(); r++) {
            for (int k = c.rowStart(r); k < c.rowEnd(r); k++) {
              latent[at] = c.latentAt(k);
              value[at] = c.valueAt(k);
              at++;
            }
            rowNnz[++ri] = at;
          }
          cropRows[++ci] = ri;
        }
        imageCrops[i + 1] = ci;
      }
      ObjectMapper json = new ObjectMapper();
      try {
        new SafetensorsWriter()
            .putInts("image_crops", imageCrops, imageCrops.length)
            .putInts("crop_rows", cropRows, cropRows.length)
            .putLongs("row_nnz", rowNnz, rowNnz.length)
            .putInts("latent", latent, latent.length)
            .putFloats("value", value, value.length)
            .metadata("format", FORMAT)
            .metadata("version", "1")
            .metadata("d_sae", Integer.toString(dSae))
            .metadata("hook", hook.toString())
            .metadata("ids", json.writeValueAsString(ids))
            .metadata("labels", json.writeValueAsString(labels))
            .write(dir.resolve(String.format(Locale.ROOT, "codes-%05d-%04d.safetensors", partition, shard++)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      pending.clear();
    }

    /** Writes the last shard. */
    @Override
    public void close() {
      flush();
    }
  }

  /** The images of a cache, in shard order; close it when done (it holds one open shard). */
  public static final class Reader implements Iterator<ImageActivations>, AutoCloseable {
    private final List<Path> shards;
    private int next;
    private List<ImageActivations> current = List.of();
    private int at;
    private int dSae = -1;
    private String hook;

    Reader(List<Path> shards) {
      this.shards = shards;
    }

    /** The SAE width of the cached codes (after the first image has been read). */
    public int dSae() {
      return dSae;
    }

    /** The hook point the codes were taken at, as its SAELens name (after the first image). */
    public String hook() {
      return hook;
    }

    @Override
    public boolean hasNext() {
      while (at >= current.size() && next < shards.size()) {
        current = load(shards.get(next++));
        at = 0;
      }
      return at < current.size();
    }

    @Override
    public ImageActivations next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return current.get(at++);
    }

    private List<ImageActivations> load(Path file) {
      try (SafetensorsFile f = SafetensorsFile.open(file)) {
        Map<String, String> meta = f.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
          throw new CheckpointFormatException(file, "metadata format (" + meta.get("format") + ") must be " + FORMAT);
        }
        int width = Integer.parseInt(meta.getOrDefault("d_sae", "-1"));
        if (dSae >= 0 && width != dSae) {
          throw new CheckpointFormatException(file, "d_sae " + width + " differs from the earlier shards' " + dSae);
        }
        dSae = width;
        hook = meta.get("hook");
        ObjectMapper json = new ObjectMapper();
        List<String> ids = json.readValue(meta.get("ids"), new TypeReference<List<String>>() {});
        List<String> labels = json.readValue(meta.get("labels"), new TypeReference<List<String>>() {});
        int[] imageCrops = f.ints("image_crops");
        int[] cropRows = f.ints("crop_rows");
        long[] rowNnz = f.longs("row_nnz");
        int[] latent = f.ints("latent");
        float[] value = f.floats("value");
        if (imageCrops.length != ids.size() + 1 || labels.size() != ids.size()
            || cropRows.length != imageCrops[ids.size()] + 1 || rowNnz.length != cropRows[cropRows.length - 1] + 1
            || latent.length != rowNnz[rowNnz.length - 1] || value.length != latent.length) {
          throw new CheckpointFormatException(file, "the index tensors do not agree (images " + ids.size() + ", crops "
              + (cropRows.length - 1) + ", rows " + (rowNnz.length - 1) + ", codes " + latent.length + ")");
        }
        List<ImageActivations> out = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
          List<SparseActivations> crops = new ArrayList<>();
          for (int c = imageCrops[i]; c < imageCrops[i + 1]; c++) {
            int r0 = cropRows[c];
            int r1 = cropRows[c + 1];
            int base = (int) rowNnz[r0];
            int[] ptr = new int[r1 - r0 + 1];
            for (int r = r0; r <= r1; r++) {
              ptr[r - r0] = (int) (rowNnz[r] - base);
            }
            int n = ptr[r1 - r0];
            crops.add(SparseActivations.of(width, ptr, java.util.Arrays.copyOfRange(latent, base, base + n),
                java.util.Arrays.copyOfRange(value, base, base + n)));
          }
          out.add(new ImageActivations(ids.get(i), labels.get(i), crops));
        }
        return out;
      } catch (CheckpointFormatException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        throw new CheckpointFormatException(file, "malformed activation cache shard: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      current = List.of();
    }
  }
}
