package org.visualscratchpad.sae.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.safetensors.SafetensorsWriter;

/**
 * The on-disk form of {@link LatentStatistics}:
 *
 * <pre>
 *   latent_stats.json           format, version, d_sae, top_k, include_cls, images, tokens,
 *                               strings: the image ids and labels the top-k entries refer to
 *   latent_stats.safetensors    per latent [d_sae]: image_count, patch_count (I64); sum_hi/sum_lo,
 *                               sum_sq_hi/sum_sq_lo, image_sum_hi/image_sum_lo (I64, exact fixed point);
 *                               max (F32); derived for readers: mean_activation, mean_activation_firing,
 *                               frequency, label_entropy (F32);
 *                               top-k, flattened: topk_ptr [d_sae+1], topk_image_id, topk_label (I32
 *                               indices into strings), topk_activation (F32), topk_tokens (I32),
 *                               topk_mask_ptr [entries+1], topk_mask_token (I32), topk_mask_value (F32)
 * </pre>
 */
final class StatisticsFiles {
  static final String JSON = "latent_stats.json";
  static final String TENSORS = "latent_stats.safetensors";
  static final String FORMAT = "visualscratchpad-latent-stats";
  static final int VERSION = 1;

  private StatisticsFiles() {}

  static void save(LatentStatistics s, Path dir) {
    int dSae = s.dSae;
    List<String> strings = new ArrayList<>();
    Map<String, Integer> index = new LinkedHashMap<>();
    int[] ptr = new int[dSae + 1];
    for (int j = 0; j < dSae; j++) {
      ptr[j + 1] = ptr[j] + (s.top[j] == null ? 0 : s.top[j].size());
    }
    int entries = ptr[dSae];
    int[] imageId = new int[entries];
    int[] label = new int[entries];
    float[] activation = new float[entries];
    int[] tokenCounts = new int[entries];
    int[] maskPtr = new int[entries + 1];
    int e = 0;
    for (int j = 0; j < dSae; j++) {
      if (s.top[j] == null) {
        continue;
      }
      for (TopImage t : s.top[j]) {
        imageId[e] = index.computeIfAbsent(t.imageId(), k -> add(strings, k));
        label[e] = index.computeIfAbsent(t.label(), k -> add(strings, k));
        activation[e] = t.activation();
        tokenCounts[e] = t.mask().tokenCount();
        maskPtr[e + 1] = maskPtr[e] + t.mask().activeCount();
        e++;
      }
    }
    int[] maskToken = new int[maskPtr[entries]];
    float[] maskValue = new float[maskPtr[entries]];
    e = 0;
    for (int j = 0; j < dSae; j++) {
      if (s.top[j] == null) {
        continue;
      }
      for (TopImage t : s.top[j]) {
        for (int i = 0; i < t.mask().activeCount(); i++) {
          maskToken[maskPtr[e] + i] = t.mask().tokenAt(i);
          maskValue[maskPtr[e] + i] = t.mask().valueAt(i);
        }
        e++;
      }
    }
    float[] meanFiring = new float[dSae];
    for (int j = 0; j < dSae; j++) {
      meanFiring[j] = (float) s.meanActivationWhenFiring(j);
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException ex) {
      throw new CheckpointFormatException(dir, "cannot create the statistics folder: " + ex.getMessage(), ex);
    }
    new SafetensorsWriter()
        .putLongs("image_count", s.imageCount, dSae)
        .putLongs("patch_count", s.patchCount, dSae)
        .putLongs("sum_hi", s.sums.hi, dSae)
        .putLongs("sum_lo", s.sums.lo, dSae)
        .putLongs("sum_sq_hi", s.squares.hi, dSae)
        .putLongs("sum_sq_lo", s.squares.lo, dSae)
        .putLongs("image_sum_hi", s.imageSums.hi, dSae)
        .putLongs("image_sum_lo", s.imageSums.lo, dSae)
        .putFloats("max", s.max, dSae)
        .putFloats("mean_activation", s.meanActivations(), dSae)
        .putFloats("mean_activation_firing", meanFiring, dSae)
        .putFloats("frequency", s.frequencies(), dSae)
        .putFloats("label_entropy", s.labelEntropies(), dSae)
        .putInts("topk_ptr", ptr, dSae + 1)
        .putInts("topk_image_id", imageId, entries)
        .putInts("topk_label", label, entries)
        .putFloats("topk_activation", activation, entries)
        .putInts("topk_tokens", tokenCounts, entries)
        .putInts("topk_mask_ptr", maskPtr, entries + 1)
        .putInts("topk_mask_token", maskToken, maskToken.length)
        .putFloats("topk_mask_value", maskValue, maskValue.length)
        .metadata("format", FORMAT)
        .write(dir.resolve(TENSORS));
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("format", FORMAT);
    json.put("version", VERSION);
    json.put("d_sae", dSae);
    json.put("top_k", s.options.topK());
    json.put("include_cls", s.options.includeCls());
    json.put("images", s.images);
    json.put("tokens", s.tokens);
    json.put("sum_scale_bits", s.sums.scaleBits);
    json.put("sum_sq_scale_bits", s.squares.scaleBits);
    json.put("strings", strings);
    Path file = dir.resolve(JSON);
    try {
      Path tmp = Files.createTempFile(dir, JSON, ".tmp");
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(tmp.toFile(), json);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException ex) {
      throw new CheckpointFormatException(file, "cannot write: " + ex.getMessage(), ex);
    }
  }

  private static int add(List<String> strings, String s) {
    strings.add(s);
    return strings.size() - 1;
  }

  static LatentStatistics load(Path dir) {
    Path jsonFile = dir.resolve(JSON);
    JsonNode json;
    try {
      json = new ObjectMapper().readTree(jsonFile.toFile());
    } catch (IOException ex) {
      throw new CheckpointFormatException(jsonFile, "cannot read latent statistics: " + ex.getMessage()
          + ". Compute them with `vsp stats`.", ex);
    }
    if (!FORMAT.equals(json.path("format").asText())) {
      throw new CheckpointFormatException(jsonFile, "field format (" + json.path("format") + ") must be " + FORMAT);
    }
    if (json.path("version").asInt() != VERSION) {
      throw new CheckpointFormatException(jsonFile, "field version (" + json.path("version") + ") must be " + VERSION
          + ". Recompute the statistics with this version.");
    }
    int dSae = json.path("d_sae").asInt();
    List<String> strings = new ArrayList<>();
    json.path("strings").forEach(n -> strings.add(n.asText()));
    LatentStatistics s;
    try {
      s = new LatentStatistics(dSae, new StatisticsOptions(json.path("top_k").asInt(), json.path("include_cls").asBoolean()));
    } catch (ScratchpadException ex) {
      throw new CheckpointFormatException(jsonFile, ex.getMessage(), ex);
    }
    if (json.path("sum_scale_bits").asInt() != s.sums.scaleBits
        || json.path("sum_sq_scale_bits").asInt() != s.squares.scaleBits) {
      throw new CheckpointFormatException(jsonFile, "fixed-point scales (" + json.path("sum_scale_bits") + ", "
          + json.path("sum_sq_scale_bits") + ") must be (" + s.sums.scaleBits + ", " + s.squares.scaleBits + ")");
    }
    s.images = json.path("images").asLong();
    s.tokens = json.path("tokens").asLong();
    Path tensorFile = dir.resolve(TENSORS);
    try (SafetensorsFile f = SafetensorsFile.open(tensorFile)) {
      copy(f, "image_count", s.imageCount);
      copy(f, "patch_count", s.patchCount);
      copy(f, "sum_hi", s.sums.hi);
      copy(f, "sum_lo", s.sums.lo);
      copy(f, "sum_sq_hi", s.squares.hi);
      copy(f, "sum_sq_lo", s.squares.lo);
      copy(f, "image_sum_hi", s.imageSums.hi);
      copy(f, "image_sum_lo", s.imageSums.lo);
      float[] max = floats(f, "max", dSae);
      System.arraycopy(max, 0, s.max, 0, dSae);
      int[] ptr = ints(f, "topk_ptr", dSae + 1);
      int entries = ptr[dSae];
      int[] imageId = ints(f, "topk_image_id", entries);
      int[] label = ints(f, "topk_label", entries);
      float[] activation = floats(f, "topk_activation", entries);
      int[] tokenCounts = ints(f, "topk_tokens", entries);
      int[] maskPtr = ints(f, "topk_mask_ptr", entries + 1);
      int[] maskToken = ints(f, "topk_mask_token", maskPtr[entries]);
      float[] maskValue = floats(f, "topk_mask_value", maskPtr[entries]);
      for (int j = 0; j < dSae; j++) {
        if (ptr[j + 1] < ptr[j] || ptr[j + 1] - ptr[j] > s.options.topK()) {
          throw new CheckpointFormatException(tensorFile, "topk_ptr of latent " + j + " (" + ptr[j] + ".." + ptr[j + 1]
              + ") must ascend by at most top_k (" + s.options.topK() + ")");
        }
        if (ptr[j + 1] == ptr[j]) {
          continue;
        }
        List<TopImage> list = new ArrayList<>();
        for (int e = ptr[j]; e < ptr[j + 1]; e++) {
          if (imageId[e] < 0 || imageId[e] >= strings.size() || label[e] < 0 || label[e] >= strings.size()) {
            throw new CheckpointFormatException(tensorFile, "top-k entry " + e + " refers to string " + imageId[e]
                + "/" + label[e] + "; " + JSON + " has " + strings.size() + " strings");
          }
          PatchMask mask = PatchMask.adopt(tokenCounts[e],
              java.util.Arrays.copyOfRange(maskToken, maskPtr[e], maskPtr[e + 1]),
              java.util.Arrays.copyOfRange(maskValue, maskPtr[e], maskPtr[e + 1]));
          list.add(new TopImage(strings.get(imageId[e]), strings.get(label[e]), activation[e], mask));
        }
        s.top[j] = list;
      }
    } catch (CheckpointFormatException ex) {
      throw ex;
    } catch (ScratchpadException ex) {
      throw new CheckpointFormatException(tensorFile, ex.getMessage(), ex);
    }
    return s;
  }

  private static void copy(SafetensorsFile f, String name, long[] into) {
    long[] a = require(f, name) ? f.longs(name) : null;
    if (a.length != into.length) {
      throw new CheckpointFormatException(f.path(), "tensor " + name + " has " + a.length + " elements; d_sae is "
          + into.length);
    }
    System.arraycopy(a, 0, into, 0, a.length);
  }

  private static int[] ints(SafetensorsFile f, String name, int expected) {
    require(f, name);
    int[] a = f.ints(name);
    if (a.length != expected) {
      throw new CheckpointFormatException(f.path(), "tensor " + name + " has " + a.length + " elements; expected "
          + expected);
    }
    return a;
  }

  private static float[] floats(SafetensorsFile f, String name, int expected) {
    require(f, name);
    float[] a = f.floats(name);
    if (a.length != expected) {
      throw new CheckpointFormatException(f.path(), "tensor " + name + " has " + a.length + " elements; expected "
          + expected);
    }
    return a;
  }

  private static boolean require(SafetensorsFile f, String name) {
    if (!f.contains(name)) {
      throw new CheckpointFormatException(f.path(), "tensor " + name + " is missing. Recompute the statistics.");
    }
    return true;
  }
}
