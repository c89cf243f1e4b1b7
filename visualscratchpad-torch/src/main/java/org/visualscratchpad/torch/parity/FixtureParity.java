package org.visualscratchpad.torch.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.attention.AttentionConvention;
import org.visualscratchpad.attention.AttentionTap;
import org.visualscratchpad.intervention.ErrorTerm;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.intervention.TokenScope;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.SparseAutoencoder;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.checkpoint.TensorFile;
import org.visualscratchpad.torch.clip.ClipModel;
import org.visualscratchpad.torch.family.TextPositions;
import org.visualscratchpad.torch.llava.Generation;
import org.visualscratchpad.torch.llava.GenerationRequest;
import org.visualscratchpad.torch.llava.ImageInput;
import org.visualscratchpad.torch.llava.LlavaModel;
import org.visualscratchpad.torch.llava.SaeTap;
import org.visualscratchpad.torch.trace.DenseTensor;
import org.visualscratchpad.torch.trace.Trace;

/**
 * Checks one folder of the {@code hf-reference} fixture layout ({@code config.json}, weights,
 * {@code inputs.safetensors}, {@code outputs.safetensors}) against its manifest entry: every
 * reference output this project can produce is recomputed from the inputs and compared with the
 * fixtures' tolerances. Works for any folder of that layout (other sizes, seeds, grids, ids).
 *
 * <pre>{@code
 * jshell> var r = FixtureParity.check(Path.of("hf-reference/llava"), null, null)
 * jshell> r.checks().forEach(c -> System.out.println(c.line())); System.out.println(r.summary())
 * }</pre>
 *
 * <p>Stateless; each call loads and closes its own model.
 */
public final class FixtureParity {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path folder;
  private final Path dataFolder;
  private final String fixture;
  private final JsonNode entry;
  private final boolean scratchpad;
  private final Function<Path, SparseAutoencoder> saeLoader;
  private final List<ParityCheck> checks = new ArrayList<>();
  private final String device;
  private final String dtype;
  private final boolean half;
  /** Absolute tolerance of every float output when the weights are held in half precision. */
  public static final double HALF_ABS = 5e-2;
  /** Absolute tolerance of logits when the weights are held in BF16 (8 significant bits). */
  public static final double BF16_LOGITS_ABS = 0.25;
  /** Relative tolerance of every float output when the weights are held in half precision. */
  public static final double HALF_REL = 5e-2;
  private TensorFile inputs;
  private TensorFile outputs;

  private FixtureParity(Path folder, Path dataFolder, String fixture, JsonNode entry,
      Function<Path, SparseAutoencoder> saeLoader, String device, String dtype) {
    this.device = device;
    this.dtype = dtype == null ? "auto" : dtype;
    this.half = this.dtype.equals("bf16") || this.dtype.equals("f16");
    this.folder = folder;
    this.dataFolder = dataFolder;
    this.fixture = fixture;
    this.entry = entry;
    this.scratchpad = entry.has("scratchpad");
    this.saeLoader = saeLoader;
  }

  /**
   * Checks {@code folder} against {@code manifest} ({@code ../manifest.json} beside the folder when
   * null; for a {@code sharded/} sub-folder, its parent's entry and data).
   *
   * @param saeLoader loads the SAE folder of scratchpad fixtures; null skips the SAE-dependent checks
   * @throws CheckpointFormatException if the manifest or the folder's files are missing or malformed
   */
  public static ParityReport check(Path folder, Path manifest, Function<Path, SparseAutoencoder> saeLoader) {
    return check(folder, manifest, saeLoader, "cpu");
  }

  /**
   * {@link #check(Path, Path, Function)} with the LLaVA models loaded on {@code device}: {@code cpu} (the
   * project's CPU engine) or {@code torch:cpu} (libtorch); CLIP folders always run on libtorch.
   */
  public static ParityReport check(Path folder, Path manifest, Function<Path, SparseAutoencoder> saeLoader,
      String device) {
    return check(folder, manifest, saeLoader, device, "auto");
  }

  /**
   * {@link #check(Path, Path, Function, String)} with the CPU engine holding the weights in {@code dtype}
   * ({@code auto}, {@code f32}, {@code bf16}, {@code f16}). In half precision every float tolerance is
   * widened to {@link #HALF_ABS} + {@link #HALF_REL} x |reference| (rounding the weights to 8 or 11
   * significant bits moves every output); ids, lengths and rankings stay exact, so greedy tokens must
   * not change.
   */
  public static ParityReport check(Path folder, Path manifest, Function<Path, SparseAutoencoder> saeLoader,
      String device, String dtype) {
    Path dir = folder.toAbsolutePath().normalize();
    String name = dir.getFileName().toString();
    Path dataFolder = dir;
    Path mf = manifest != null ? manifest : dir.resolveSibling("manifest.json");
    if (manifest == null && !Files.isRegularFile(mf) && dir.getParent() != null) {
      mf = dir.getParent().resolveSibling("manifest.json");
    }
    JsonNode root = readJson(mf);
    JsonNode fixtures = root.path("fixtures");
    JsonNode entry = fixtures.get(name);
    if (entry == null && dir.getParent() != null) {
      JsonNode parentEntry = fixtures.get(dir.getParent().getFileName().toString());
      if (parentEntry != null && parentEntry.path("files").has(name + "/config.json")) {
        entry = parentEntry;
        dataFolder = dir.getParent();
        name = dir.getParent().getFileName() + "/" + name;
      }
    }
    if (entry == null) {
      List<String> known = new ArrayList<>();
      fixtures.fieldNames().forEachRemaining(known::add);
      throw new CheckpointFormatException(mf, "has no fixture entry for folder " + dir.getFileName() + "; entries: "
          + known + ". Pass --manifest with the manifest that describes this folder.");
    }
    FixtureParity p = new FixtureParity(dir, dataFolder, name, entry, saeLoader, device, dtype);
    try {
      p.run();
    } finally {
      if (p.inputs != null) {
        p.inputs.close();
      }
      if (p.outputs != null) {
        p.outputs.close();
      }
    }
    return new ParityReport(name, dir, p.checks);
  }

  private static JsonNode readJson(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new CheckpointFormatException(file, "manifest is missing. Pass --manifest FILE.");
    }
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "is not valid JSON: " + e.getMessage(), e);
    }
  }

  // ------------------------------------------------------------------------------------------

  private void run() {
    inputs = TensorFile.open(dataFolder.resolve("inputs.safetensors"));
    outputs = TensorFile.open(dataFolder.resolve("outputs.safetensors"));
    Map<String, DenseTensor> produced = new LinkedHashMap<>();
    Map<String, String> notes = new HashMap<>();
    Map<String, int[][]> rowMasks = new HashMap<>();
    String cls = entry.path("model_class").asText();
    if (cls.startsWith("CLIP")) {
      runClip(produced);
    } else if (scratchpad) {
      runScratchpad(produced, notes);
    } else {
      // every other folder is a vision-language model: LlavaModel.load picks its family by config.json's
      // model_type from the registry, and refuses an unknown one naming the supported families
      runLlava(produced, rowMasks, notes);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = entry.path("tensors").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> t = it.next();
      if (!t.getValue().path("kind").asText().equals("output")) {
        continue;
      }
      String name = t.getKey();
      double[] tol = tolerance(name);
      DenseTensor actual = produced.get(name);
      if (actual == null) {
        checks.add(new ParityCheck(name, Double.NaN, tol[0], tol[1], ParityCheck.Status.SKIP,
            notes.getOrDefault(name, "not produced by this project")));
        continue;
      }
      DenseTensor expected = outputs.tensor(name);
      if (dtype.equals("bf16") && name.endsWith("ranking")) {
        checks.add(new ParityCheck(name, Double.NaN, tol[0], tol[1], ParityCheck.Status.SKIP,
            "order not compared with BF16 weights (it moves close scores); the scores themselves are"));
        continue;
      }
      checks.add(compare(name, expected, actual, tol, rowMasks.get(name), notes.get(name)));
    }
  }

  private double[] tolerance(String name) {
    boolean exact = name.endsWith("generated_ids") || name.endsWith("packed_feature_lens")
        || name.endsWith("image_token_positions") || name.endsWith("ranking") || name.endsWith("latent_ids")
        || name.endsWith("rope_deltas");
    if (exact) {
      return new double[] {0, 0};
    }
    if (half) {
      boolean bf16Logits = dtype.equals("bf16") && name.contains("logits");
      return new double[] {bf16Logits ? BF16_LOGITS_ABS : HALF_ABS, HALF_REL};
    }
    if (name.contains("logits")) {
      return new double[] {scratchpad ? 2e-4 : 1e-4, 0};
    }
    if (name.contains("attn") || name.contains("attentions") || name.contains("scores") || name.contains("mass")) {
      return new double[] {1e-5, 0};
    }
    return scratchpad ? new double[] {1e-4, 1e-4} : new double[] {1e-5, 1e-5};
  }

  private ParityCheck compare(String name, DenseTensor expected, DenseTensor actual, double[] tol, int[][] rowMask,
      String note) {
    if (expected.size() != actual.size()) {
      return new ParityCheck(name, Double.POSITIVE_INFINITY, tol[0], tol[1], ParityCheck.Status.FAIL,
          "shape " + Arrays.toString(actual.shape()) + " vs reference " + Arrays.toString(expected.shape()));
    }
    long[] shape = expected.shape();
    double max = 0;
    boolean ok = true;
    int limit = name.endsWith("ranking") ? Math.min(RANKED, expected.size()) : expected.size();
    for (int i = 0; i < limit; i++) {
      if (rowMask != null && !included(i, shape, rowMask)) {
        continue;
      }
      double e = expected.at(i);
      double a = actual.at(i);
      double d = Math.abs(a - e);
      if (Double.isNaN(d)) {
        d = Double.POSITIVE_INFINITY;
      }
      max = Math.max(max, d);
      if (d > tol[0] + tol[1] * Math.abs(e)) {
        ok = false;
      }
    }
    String n = note == null ? "" : note;
    if (rowMask != null) {
      n = (n.isEmpty() ? "" : n + "; ") + "rows with attention_mask 1";
    }
    return new ParityCheck(name, max, tol[0], tol[1], ok ? ParityCheck.Status.PASS : ParityCheck.Status.FAIL, n);
  }

  /** Whether flat index {@code i} of a {@code [B, L, ...]} or {@code [B, H, L, L]} tensor is a real query row. */
  private static boolean included(int i, long[] shape, int[][] mask) {
    int b = mask.length;
    int len = mask[0].length;
    if (shape.length == 4 && shape[0] == b && shape[2] == len) {      // attentions [B, H, Q, K]
      long inner = shape[2] * shape[3];
      long row = i / (shape[1] * inner);
      long q = (i % inner) / shape[3];
      return mask[(int) row][(int) q] != 0;
    }
    if (shape.length >= 2 && shape[0] == b && shape[1] == len) {      // [B, L, ...]
      long per = 1;
      for (int k = 2; k < shape.length; k++) {
        per *= shape[k];
      }
      long row = i / (len * per);
      long q = (i / per) % len;
      return mask[(int) row][(int) q] != 0;
    }
    return true;
  }

  // ------------------------------------------------------------------------------------------
  // CLIP

  private void runClip(Map<String, DenseTensor> produced) {
    try (ClipModel clip = ClipModel.load(folder)) {
      boolean full = clip.hasTextTower();
      Trace v = clip.encodeImages(inputs.tensor("pixel_values"), true);
      String vp = full ? "vision_" : "";
      for (String n : v.names()) {
        String mapped = full && (n.equals("image_embeds") || n.equals("image_embeds_unnormalized")) ? n : vp + n;
        produced.put(mapped, v.get(n).orElseThrow());
      }
      if (full && inputs.contains("input_ids")) {
        long[][] ids = inputs.longRows("input_ids");
        long[][] mask = inputs.contains("attention_mask") ? inputs.longRows("attention_mask") : null;
        Trace t = clip.encodeTexts(ids, mask, true);
        for (String n : t.names()) {
          String mapped = n.startsWith("text_embeds") ? n : "text_" + n;
          produced.put(mapped, t.get(n).orElseThrow());
        }
        FloatMatrix logits = clip.logitsPerImage(v.get("image_embeds").orElseThrow(), t.get("text_embeds").orElseThrow());
        produced.put("logits_per_image", DenseTensor.of(logits));
        float[] tr = new float[logits.rows() * logits.cols()];
        for (int i = 0; i < logits.rows(); i++) {
          for (int j = 0; j < logits.cols(); j++) {
            tr[j * logits.rows() + i] = logits.get(i, j);
          }
        }
        produced.put("logits_per_text", DenseTensor.adopt(new long[] {logits.cols(), logits.rows()}, tr));
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // LLaVA / LLaVA-NeXT

  private List<ImageInput> images(int count, org.visualscratchpad.torch.family.VlmConfig model) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      order.add(i);
    }
    return images(order, model);
  }

  /**
   * The images {@code indices} of {@code pixel_values} / {@code image_sizes}, in that order; with {@code
   * image_grid_thw}, {@code pixel_values} are Qwen2-VL's flattened patches ({@code [sum t*h*w, 3*2*14*14]}), turned
   * back into each image's resized pixels, its original size taken from {@code raw_image.i} where present.
   */
  private List<ImageInput> images(List<Integer> indices, org.visualscratchpad.torch.family.VlmConfig model) {
    if (inputs.contains("image_grid_thw") && model instanceof org.visualscratchpad.torch.family.qwen2vl.Qwen2VLConfig q) {
      return org.visualscratchpad.torch.family.qwen2vl.Qwen2VLImageProcessor.imageInputs(inputs.tensor("pixel_values"),
          inputs.longRows("image_grid_thw"), i -> inputs.contains("raw_image." + i) ? inputs.shape("raw_image." + i)
              : null, indices, q.vision());
    }
    DenseTensor px = inputs.tensor("pixel_values");
    long[][] sizes = inputs.contains("image_sizes") ? inputs.longRows("image_sizes") : null;
    List<ImageInput> out = new ArrayList<>();
    for (int i : indices) {
      DenseTensor crops = px.rank() == 5 ? px.slice(i) : px.range(i, i + 1);
      int h = sizes == null ? (int) px.dim(px.rank() - 2) : (int) sizes[i][0];
      int w = sizes == null ? (int) px.dim(px.rank() - 1) : (int) sizes[i][1];
      out.add(new ImageInput(crops, h, w));
    }
    return out;
  }

  /** Number of contiguous image-token blocks in {@code ids}. */
  private static int imageBlocks(long[][] ids, int imageToken) {
    int blocks = 0;
    for (long[] row : ids) {
      for (int t = 0; t < row.length; t++) {
        if (row[t] == imageToken && (t == 0 || row[t - 1] != imageToken)) {
          blocks++;
        }
      }
    }
    return blocks;
  }

  private Set<Integer> stopTokens() {
    Set<Integer> stop = new HashSet<>();
    Path gc = folder.resolve("generation_config.json");
    if (!Files.isRegularFile(gc)) {
      gc = dataFolder.resolve("generation_config.json");
    }
    if (Files.isRegularFile(gc)) {
      JsonNode eos = readJson(gc).get("eos_token_id");
      if (eos != null && eos.isArray()) {
        eos.forEach(e -> stop.add(e.asInt()));
      } else if (eos != null && eos.canConvertToInt()) {
        stop.add(eos.asInt());
      }
    }
    return stop;
  }

  private static int[][] intRows(long[][] rows) {
    int[][] out = new int[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = Arrays.stream(rows[i]).mapToInt(v -> (int) v).toArray();
    }
    return out;
  }

  private void runLlava(Map<String, DenseTensor> produced, Map<String, int[][]> rowMasks, Map<String, String> notes) {
    try (LlavaModel model = LlavaModel.load(folder, device, dtype)) {
      int imageToken = model.config().imageTokenIndex();
      Set<Integer> stop = stopTokens();
      boolean visionDone = false;
      for (String c : List.of("single", "batch", "multi")) {
        if (!inputs.contains(c + ".input_ids")) {
          continue;
        }
        long[][] ids = inputs.longRows(c + ".input_ids");
        int[][] mask = inputs.contains(c + ".attention_mask") ? intRows(inputs.longRows(c + ".attention_mask")) : null;
        List<ImageInput> imgs = inputs.contains(c + ".image_indices")
            ? images(Arrays.stream(inputs.longs(c + ".image_indices")).mapToObj(v -> (int) v).toList(), model.config())
            : images(imageBlocks(ids, imageToken), model.config());
        Trace t;
        if (inputs.contains(c + ".position_ids") && inputs.shape(c + ".position_ids").length == 3) {
          // position ids in rows ([rows, B, L], M-RoPE): the family's own numbering, given explicitly
          long[] flat = inputs.longs(c + ".position_ids");
          long[] shape = inputs.shape(c + ".position_ids");
          long[][][] rows = new long[(int) shape[0]][(int) shape[1]][(int) shape[2]];
          for (int r = 0, at = 0; r < shape[0]; r++) {
            for (int b = 0; b < shape[1]; b++) {
              for (int l = 0; l < shape[2]; l++) {
                rows[r][b][l] = flat[at++];
              }
            }
          }
          t = model.forwardTrace(ids, mask, imgs, new TextPositions(rows, new long[(int) shape[1]]), true);
          // the family's own numbering (get_rope_index) must give the same ids; its deltas are an output
          TextPositions own = model.positions(ids, mask, imgs);
          long diff = own.ids().length == rows.length ? 0 : Long.MAX_VALUE;
          for (int r = 0; r < rows.length && diff != Long.MAX_VALUE; r++) {
            for (int b = 0; b < rows[r].length; b++) {
              for (int l = 0; l < rows[r][b].length; l++) {
                diff = Math.max(diff, Math.abs(own.ids()[r][b][l] - rows[r][b][l]));
              }
            }
          }
          checks.add(new ParityCheck(c + ".position_ids", diff, 0, 0, diff == 0 ? ParityCheck.Status.PASS
              : ParityCheck.Status.FAIL, "input; the model's own position ids against it"));
          float[] deltas = new float[own.delta().length];
          for (int b = 0; b < deltas.length; b++) {
            deltas[b] = own.delta()[b];
          }
          produced.put(c + ".rope_deltas", DenseTensor.adopt(new long[] {deltas.length, 1}, deltas));
        } else {
          long[][] pos = inputs.contains(c + ".position_ids") ? inputs.longRows(c + ".position_ids") : null;
          t = model.forwardTrace(ids, mask, pos, imgs, true);
        }
        boolean padded = mask != null && Arrays.stream(mask).flatMapToInt(Arrays::stream).anyMatch(v -> v == 0);
        for (String n : t.names()) {
          String key = n.startsWith("vision_tower.") || n.startsWith("vision.") || n.equals("projected_tiles")
              || n.startsWith("packed_") ? n : c + "." + n;
          if (key.startsWith("vision_tower.") && !outputs.contains(key)
              && outputs.contains("vision." + key.substring("vision_tower.".length()))) {
            key = "vision." + key.substring("vision_tower.".length());   // Qwen2-VL's fixture names its tower "vision"
          }
          if (!key.startsWith(c + ".") && visionDone && !outputs.contains(key)) {
            continue;
          }
          if (!key.startsWith(c + ".") && produced.containsKey(key)
              && produced.get(key).size() >= t.get(n).orElseThrow().size()) {
            continue;
          }
          produced.put(key, t.get(n).orElseThrow());
          if (padded && key.startsWith(c + ".") && !n.equals("image_features")) {
            rowMasks.put(key, mask);
          }
        }
        visionDone = true;
        if (outputs.contains(c + ".generated_step_logits")) {
          int steps = (int) outputs.shape(c + ".generated_step_logits")[0];
          Trace g = model.generateBatch(ids, mask == null ? onesMask(ids) : mask, imgs, steps, stop);
          produced.put(c + ".generated_ids", g.get("generated_ids").orElseThrow());
          produced.put(c + ".generated_step_logits", g.get("generated_step_logits").orElseThrow());
        }
      }
    }
  }

  private static int[][] onesMask(long[][] ids) {
    int[][] m = new int[ids.length][ids[0].length];
    for (int[] r : m) {
      Arrays.fill(r, 1);
    }
    return m;
  }

  // ------------------------------------------------------------------------------------------
  // Scratchpad (LLaVA + SAE)

  private void runScratchpad(Map<String, DenseTensor> produced, Map<String, String> notes) {
    SparseAutoencoder sae = null;
    String saeNote = "no SAE loader given";
    if (saeLoader != null) {
      sae = saeLoader.apply(dataFolder.resolve("sae"));
      saeNote = "";
    }
    try (LlavaModel model = LlavaModel.load(folder, device, dtype)) {
      int imageToken = model.config().imageTokenIndex();
      Set<Integer> stop = stopTokens();
      for (int c = 0; inputs.contains("case" + c + ".input_ids"); c++) {
        String pre = "case" + c + ".";
        long[][] ids = inputs.longRows(pre + "input_ids");
        DenseTensor px = inputs.tensor("pixel_values");
        List<ImageInput> img = List.of(new ImageInput(px.range(c, c + 1), (int) px.dim(2), (int) px.dim(3)));
        Trace t = model.forwardTrace(ids, null, null, img, false);
        for (String n : t.names()) {
          if (n.startsWith("vision_tower.hidden_states.")) {
            produced.put(pre + "vision_hidden_states." + n.substring("vision_tower.hidden_states.".length()),
                t.get(n).orElseThrow());
          }
        }
        int steps = outputs.contains(pre + "generated_step_logits") ? (int) outputs.shape(pre + "generated_step_logits")[0] : 8;
        List<Integer> prompt = Arrays.stream(ids[0]).mapToObj(v -> (int) v).toList();
        GenerationRequest base = GenerationRequest.of(prompt, img, steps).withStopTokens(stop);
        Trace dbgP = new Trace();
        Generation gp = model.generate(base.withAttention(AttentionTap.all(AttentionConvention.PRODUCING_STEP))
            .withSae(sae == null ? null : SaeTap.read(sae)), dbgP);
        Trace dbgO = new Trace();
        Generation go = model.generate(base.withAttention(AttentionTap.all(AttentionConvention.OWN_POSITION)), dbgO);
        produced.put(pre + "image_features", dbgP.get("image_features").orElseThrow());
        produced.put(pre + "generated_ids", ids(gp.sequence()));
        produced.put(pre + "generated_step_logits", DenseTensor.of(gp.stepLogits()));
        produced.put(pre + "image_token_positions", ids(gp.imageTokenPositions()));
        FloatMatrix prod = gp.attention().weights();
        FloatMatrix own = go.attention().weights();
        FloatMatrix promptOwn = gp.promptAttention().weights();
        produced.put(pre + "attn.gen_producing", DenseTensor.of(prod));
        produced.put(pre + "attn.gen_producing_rows", dbgP.get("attn.gen_producing_rows").orElseThrow());
        produced.put(pre + "attn.gen_own", DenseTensor.of(own));
        produced.put(pre + "attn.prompt_own", DenseTensor.of(promptOwn));
        produced.put(pre + "full.attn_mean", dbgO.get("full.attn_mean").orElseThrow());
        produced.put(pre + "attn.gen_producing_image_mass", rowSums(prod));
        produced.put(pre + "attn.gen_own_image_mass", rowSums(own));
        if (sae == null) {
          for (String n : List.of("sae_in", "sae_pre", "sae_acts", "sae_recon", "sae_error", "scores.gen_producing",
              "scores.gen_own", "scores.prompt_own", "scores.mean_patches", "ranking")) {
            notes.put(pre + n, saeNote);
          }
          continue;
        }
        FloatMatrix z = gp.hookActivations().get(0);
        SparseActivations h = sae.encode(z);
        FloatMatrix recon = sae.decode(h);
        produced.put(pre + "sae_in", DenseTensor.of(z));
        produced.put(pre + "sae_pre", DenseTensor.of(sae.preActivations(z)));
        FloatMatrix acts = h.toDense();
        produced.put(pre + "sae_acts", DenseTensor.of(acts));
        produced.put(pre + "sae_recon", DenseTensor.of(recon));
        float[] err = z.toArray();
        float[] rc = recon.toArray();
        for (int i = 0; i < err.length; i++) {
          err[i] -= rc[i];
        }
        produced.put(pre + "sae_error", DenseTensor.adopt(new long[] {z.rows(), z.cols()}, err));
        FloatMatrix patches = acts.rowRange(1, acts.rows());
        FloatMatrix sProd = weighted(prod, patches);
        produced.put(pre + "scores.gen_producing", DenseTensor.of(sProd));
        produced.put(pre + "scores.gen_own", DenseTensor.of(weighted(own, patches)));
        produced.put(pre + "scores.prompt_own", DenseTensor.of(weighted(promptOwn, patches)));
        produced.put(pre + "scores.mean_patches", meanRows(patches));
        produced.put(pre + "ranking", ranking(sProd));
        notes.put(pre + "ranking", "top " + RANKED + " compared, where scores are well separated");
        runInterventions(model, sae, pre, base, produced, notes);
      }
    }
  }

  private void runInterventions(LlavaModel model, SparseAutoencoder sae, String pre, GenerationRequest base,
      Map<String, DenseTensor> produced, Map<String, String> notes) {
    Set<String> names = new java.util.LinkedHashSet<>();
    for (String n : outputs.names()) {
      if (n.startsWith(pre + "interv.")) {
        String rest = n.substring((pre + "interv.").length());
        names.add(rest.substring(0, rest.indexOf('.')));
      }
    }
    for (String name : names) {
      String p = pre + "interv." + name + ".";
      List<Integer> latents = outputs.contains(p + "latent_ids")
          ? Arrays.stream(outputs.longs(p + "latent_ids")).mapToObj(v -> (int) v).toList() : List.of();
      InterventionPlan plan = switch (name) {
        case "noop_with_error" -> InterventionPlan.none();
        case "ablate_with_error" -> InterventionPlan.of(LatentIntervention.ablate(latents));
        case "ablate_with_error_patches_only" ->
            InterventionPlan.of(LatentIntervention.ablate(latents, TokenScope.patchesOnly()));
        case "steer_with_error" -> InterventionPlan.of(LatentIntervention.setValue(latents,
            outputs.tensor(p + "steer_value").at(0), TokenScope.patchesOnly()));
        case "ablate_no_error" -> InterventionPlan.of(LatentIntervention.ablate(latents)).withErrorTerm(ErrorTerm.DROP);
        case "recon_no_error" -> InterventionPlan.none().withErrorTerm(ErrorTerm.DROP);
        default -> null;
      };
      if (plan == null) {
        for (String n : outputs.names()) {
          if (n.startsWith(p)) {
            notes.put(n, "intervention " + name + " is not known to this checker");
          }
        }
        continue;
      }
      Trace dbg = new Trace();
      Generation g = model.generate(base.withSae(new SaeTap(sae, plan)), dbg);
      produced.put(p + "sae_in_modified", DenseTensor.of(g.editedActivations().get(0)));
      produced.put(p + "image_features", dbg.get("image_features").orElseThrow());
      produced.put(p + "generated_ids", ids(g.sequence()));
      produced.put(p + "generated_step_logits", DenseTensor.of(g.stepLogits()));
      notes.put(p + "latent_ids", "an input of the intervention, not an output");
      notes.put(p + "steer_value", "an input of the intervention, not an output");
    }
  }

  private static DenseTensor ids(List<Integer> ids) {
    float[] f = new float[ids.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = ids.get(i);
    }
    return DenseTensor.adopt(new long[] {1, f.length}, f);
  }

  /** Leading ranking entries compared (the fixture README: compare only well-separated scores). */
  private static final int RANKED = 10;

  /** Latent ids sorted by their mean score over the rows, descending, stable. */
  private static DenseTensor ranking(FloatMatrix scores) {
    int d = scores.cols();
    double[] mean = new double[d];
    for (int j = 0; j < d; j++) {
      for (int r = 0; r < scores.rows(); r++) {
        mean[j] += scores.get(r, j);
      }
      mean[j] /= scores.rows();
    }
    Integer[] order = new Integer[d];
    for (int j = 0; j < d; j++) {
      order[j] = j;
    }
    Arrays.sort(order, (a, b) -> Double.compare(mean[b], mean[a]));
    float[] out = new float[d];
    for (int j = 0; j < d; j++) {
      out[j] = order[j];
    }
    return DenseTensor.adopt(new long[] {d}, out);
  }

  private static DenseTensor rowSums(FloatMatrix m) {
    float[] out = new float[m.rows()];
    for (int r = 0; r < m.rows(); r++) {
      double s = 0;
      for (int c = 0; c < m.cols(); c++) {
        s += m.get(r, c);
      }
      out[r] = (float) s;
    }
    return DenseTensor.adopt(new long[] {out.length}, out);
  }

  /** {@code attn [T x n] @ patches [n x dSae]}. */
  private static FloatMatrix weighted(FloatMatrix attn, FloatMatrix patches) {
    int t = attn.rows();
    int n = attn.cols();
    int d = patches.cols();
    float[] out = new float[t * d];
    for (int r = 0; r < t; r++) {
      for (int k = 0; k < n; k++) {
        float a = attn.get(r, k);
        if (a == 0f) {
          continue;
        }
        for (int j = 0; j < d; j++) {
          out[r * d + j] += a * patches.get(k, j);
        }
      }
    }
    return FloatMatrix.adopt(t, d, out);
  }

  private static DenseTensor meanRows(FloatMatrix m) {
    float[] out = new float[m.cols()];
    for (int j = 0; j < m.cols(); j++) {
      double s = 0;
      for (int r = 0; r < m.rows(); r++) {
        s += m.get(r, j);
      }
      out[j] = (float) (s / m.rows());
    }
    return DenseTensor.adopt(new long[] {out.length}, out);
  }
}
