package org.visualscratchpad.benchmarks.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.visualscratchpad.attention.AttentionConvention;
import org.visualscratchpad.attention.AttentionTap;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.safetensors.SafetensorsWriter;
import org.visualscratchpad.torch.llava.Generation;
import org.visualscratchpad.torch.llava.GenerationRequest;
import org.visualscratchpad.torch.llava.ImageInput;
import org.visualscratchpad.torch.llava.LlavaModel;
import org.visualscratchpad.torch.llava.PromptCache;
import org.visualscratchpad.torch.llava.SaeTap;
import org.visualscratchpad.torch.trace.DenseTensor;

/**
 * A timed benchmark (each operation takes seconds, so JMH's machinery adds nothing) of the runtime
 * on a synthetic LLaVA-1.5-shaped model of ~300 MB written with a fixed seed: plain greedy
 * generation against (a) the same with an SAE read tap and attention capture, (b) a fresh run under
 * an ablation, (c) the same ablation regenerated from a {@link PromptCache}.
 *
 * <pre>
 *   mvn -B -q -pl benchmarks -am package -DskipTests
 *   java --add-modules jdk.incubator.vector -Dai.djl.offline=true -cp benchmarks/target/benchmarks.jar \
 *     org.visualscratchpad.benchmarks.runtime.RuntimeBenchmark [repetitions [device [MODEL_DIR SAE_DIR]]]
 * </pre>
 *
 * <p>{@code device} is {@code cpu} (the CPU engine, default) or {@code torch:cpu}. With {@code MODEL_DIR}
 * and {@code SAE_DIR} (a LLaVA-1.5 folder, e.g. a real-shape checkpoint of {@code ../shared/tools/realsize},
 * and its SAE) the same runs use that model with a full image (one crop) and a 10-word text around it;
 * the "tap" run then also encodes the hooked stream with the SAE, as {@code ask} does.
 */
public final class RuntimeBenchmark {
  private static final long SEED = 42L;

  private RuntimeBenchmark() {}

  public static void main(String[] args) throws Exception {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    String device = args.length > 1 ? args[1] : "cpu";
    if (args.length > 3) {
      realSize(reps, device, Path.of(args[2]), Path.of(args[3]));
      return;
    }
    Path dir = Files.createTempDirectory("vsp-runtime-bench");
    int dv = 256;
    int vLayers = 6;
    int image = 112;
    int patch = 14;
    int grid = image / patch;
    int d = 1024;
    int layers = 4;
    int inter = 2816;
    int heads = 16;
    int kv = 4;
    int vocab = 8192;
    int hookLayer = 2;
    long params = writeModel(dir, dv, vLayers, image, patch, d, layers, inter, heads, kv, vocab);
    SplittableRandom rng = new SplittableRandom(SEED);
    List<Integer> prompt = new ArrayList<>();
    prompt.add(1);
    for (int i = 0; i < 10; i++) {
      prompt.add(3 + rng.nextInt(1000));
    }
    for (int i = 0; i < grid * grid; i++) {
      prompt.add(vocab - 2);
    }
    for (int i = 0; i < 10; i++) {
      prompt.add(3 + rng.nextInt(1000));
    }
    float[] px = new float[3 * image * image];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) rng.nextGaussian();
    }
    ImageInput img = new ImageInput(DenseTensor.of(new long[] {1, 3, image, image}, px), image, image);
    DenseSae sae = DenseSae.random(dv, 4 * dv, HookPoint.visionResidPost(hookLayer), SEED);
    try (LlavaModel model = LlavaModel.load(dir, device)) {
      GenerationRequest plain = GenerationRequest.of(prompt, List.of(img), 16);
      GenerationRequest tapped = plain.withSae(SaeTap.read(sae))
          .withAttention(AttentionTap.all(AttentionConvention.PRODUCING_STEP));
      GenerationRequest ablated = plain.withSae(new SaeTap(sae, InterventionPlan.of(
          LatentIntervention.ablate(List.of(1, 2, 3, 4, 5)))));
      PromptCache cache = model.cacheFor(plain.withSae(SaeTap.read(sae)));
      double tPlain = time(reps, () -> model.generate(plain));
      double tTapped = time(reps, () -> model.generate(tapped));
      double tFresh = time(reps, () -> model.generate(ablated));
      double tReuse = time(reps, () -> model.generate(ablated, cache));
      System.out.printf(Locale.ROOT, "synthetic model: %d parameters (%.0f MB fp32), vision %dx%d (%d crops of %d tokens), "
          + "LLM %dx%d, prompt %d tokens, 16 new tokens, %d repetitions (median)%n",
          params, params * 4 / 1e6, vLayers, dv, 1, grid * grid + 1, layers, d, prompt.size(), reps);
      System.out.printf(Locale.ROOT, "plain generation            %8.1f ms%n", tPlain);
      System.out.printf(Locale.ROOT, "SAE tap + attention capture %8.1f ms  (%+.1f %%)%n", tTapped,
          100 * (tTapped / tPlain - 1));
      System.out.printf(Locale.ROOT, "ablation, fresh run         %8.1f ms  (%.2fx plain)%n", tFresh, tFresh / tPlain);
      System.out.printf(Locale.ROOT, "ablation, from PromptCache  %8.1f ms  (%.2fx plain)%n", tReuse, tReuse / tPlain);
    } finally {
      try (var s = Files.list(dir)) {
        for (Path p : s.toList()) {
          Files.delete(p);
        }
      }
      Files.delete(dir);
    }
  }

  /** The runs on a real-shape checkpoint: prompt of BOS, 5 words, the image's tokens, 5 words. */
  private static void realSize(int reps, String device, Path modelDir, Path saeDir) {
    SplittableRandom rng = new SplittableRandom(SEED);
    try (LlavaModel model = LlavaModel.load(modelDir, device)) {
      var cfg = model.config();
      int s = cfg.vision().imageSize();
      float[] px = new float[3 * s * s];
      for (int i = 0; i < px.length; i++) {
        px[i] = (float) rng.nextGaussian();
      }
      ImageInput img = new ImageInput(DenseTensor.of(new long[] {1, 3, s, s}, px), s, s);
      List<Integer> prompt = new ArrayList<>();
      prompt.add(1);
      for (int i = 0; i < 5; i++) {
        prompt.add(3 + rng.nextInt(1000));
      }
      for (int i = 0; i < model.imageTokenCount(img); i++) {
        prompt.add(cfg.imageTokenIndex());
      }
      for (int i = 0; i < 5; i++) {
        prompt.add(3 + rng.nextInt(1000));
      }
      var sae = org.visualscratchpad.sae.format.SaeLoader.load(saeDir, model.hiddenSize());
      GenerationRequest plain = GenerationRequest.of(prompt, List.of(img), 16);
      // what an ask sends (TorchScratchpad): the generated tokens' attention only, not every prompt row's
      GenerationRequest tapped = plain.withSae(SaeTap.read(sae))
          .withAttention(AttentionTap.all(AttentionConvention.PRODUCING_STEP)).withPromptAttention(false);
      GenerationRequest ablated = tapped.withSae(new SaeTap(sae, InterventionPlan.of(
          LatentIntervention.ablate(List.of(1, 2, 3, 4, 5)))));
      PromptCache cache = model.generateReusing(tapped, null).cache();
      double[] plainMs = new double[reps];
      double[] tappedMs = new double[reps];
      double[] reuseMs = new double[reps];
      for (int r = 0; r < reps; r++) {   // interleaved, so that drift hits every variant alike
        long t0 = System.nanoTime();
        model.generate(plain);
        plainMs[r] = (System.nanoTime() - t0) / 1e6;
        t0 = System.nanoTime();
        Generation g = model.generate(tapped);
        for (var z : g.hookActivations()) {
          sae.encode(z);
        }
        tappedMs[r] = (System.nanoTime() - t0) / 1e6;
        t0 = System.nanoTime();
        model.generateReusing(ablated, cache);
        reuseMs[r] = (System.nanoTime() - t0) / 1e6;
      }
      double p = median(plainMs);
      double t = median(tappedMs);
      double u = median(reuseMs);
      System.out.printf(Locale.ROOT, "%s on %s: prompt %d tokens, 16 new tokens, %d repetitions interleaved (median)%n",
          modelDir, device, prompt.size(), reps);
      System.out.printf(Locale.ROOT, "plain generation                      %9.1f ms%n", p);
      System.out.printf(Locale.ROOT, "SAE tap + attention capture + encode  %9.1f ms  (%.3fx plain)%n", t, t / p);
      System.out.printf(Locale.ROOT, "ablation reusing the first run        %9.1f ms  (%.3fx plain)%n", u, u / p);
    }
  }

  private static double median(double[] ms) {
    double[] c = ms.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }

  private static double time(int reps, Supplier<Generation> run) {
    run.get();   // warm-up
    double[] ms = new double[reps];
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime();
      run.get();
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    return ms[reps / 2];
  }

  private static long writeModel(Path dir, int dv, int vLayers, int image, int patch, int d, int layers, int inter,
      int heads, int kv, int vocab) throws Exception {
    Files.writeString(dir.resolve("config.json"), String.format(Locale.ROOT, """
        {"model_type": "llava", "image_token_index": %d, "pad_token_id": %d,
         "vision_config": {"model_type": "clip_vision_model", "hidden_size": %d, "intermediate_size": %d,
           "num_hidden_layers": %d, "num_attention_heads": 8, "image_size": %d, "patch_size": %d},
         "text_config": {"model_type": "llama", "hidden_size": %d, "intermediate_size": %d,
           "num_hidden_layers": %d, "num_attention_heads": %d, "num_key_value_heads": %d,
           "vocab_size": %d, "max_position_embeddings": 1024, "rms_norm_eps": 1e-5}}
        """, vocab - 2, vocab - 1, dv, 4 * dv, vLayers, image, patch, d, inter, layers, heads, kv, vocab));
    SplittableRandom rng = new SplittableRandom(SEED);
    SafetensorsWriter w = new SafetensorsWriter();
    long[] count = {0};
    java.util.function.BiConsumer<String, long[]> put = (name, shape) -> {
      long n = 1;
      for (long s : shape) {
        n *= s;
      }
      float[] v = new float[(int) n];
      double scale = shape.length == 1 ? 0.01 : 1 / Math.sqrt(shape[shape.length - 1]);
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (rng.nextGaussian() * scale);
      }
      if (name.endsWith("norm.weight") || name.endsWith("layernorm.weight") || name.contains("layer_norm")
          && name.endsWith(".weight") || name.contains("layrnorm.weight")) {
        Arrays.fill(v, 1f);
      }
      count[0] += n;
      w.putFloats(name, v, shape);
    };
    String v = "vision_tower.vision_model.";
    int tokens = (image / patch) * (image / patch) + 1;
    put.accept(v + "embeddings.class_embedding", new long[] {dv});
    put.accept(v + "embeddings.patch_embedding.weight", new long[] {dv, 3, patch, patch});
    put.accept(v + "embeddings.position_embedding.weight", new long[] {tokens, dv});
    put.accept(v + "pre_layrnorm.weight", new long[] {dv});
    put.accept(v + "pre_layrnorm.bias", new long[] {dv});
    for (int l = 0; l < vLayers; l++) {
      String p = v + "encoder.layers." + l + ".";
      for (String n : List.of("q_proj", "k_proj", "v_proj", "out_proj")) {
        put.accept(p + "self_attn." + n + ".weight", new long[] {dv, dv});
        put.accept(p + "self_attn." + n + ".bias", new long[] {dv});
      }
      for (String n : List.of("layer_norm1", "layer_norm2")) {
        put.accept(p + n + ".weight", new long[] {dv});
        put.accept(p + n + ".bias", new long[] {dv});
      }
      put.accept(p + "mlp.fc1.weight", new long[] {4L * dv, dv});
      put.accept(p + "mlp.fc1.bias", new long[] {4L * dv});
      put.accept(p + "mlp.fc2.weight", new long[] {dv, 4L * dv});
      put.accept(p + "mlp.fc2.bias", new long[] {dv});
    }
    put.accept("multi_modal_projector.linear_1.weight", new long[] {d, dv});
    put.accept("multi_modal_projector.linear_1.bias", new long[] {d});
    put.accept("multi_modal_projector.linear_2.weight", new long[] {d, d});
    put.accept("multi_modal_projector.linear_2.bias", new long[] {d});
    put.accept("language_model.model.embed_tokens.weight", new long[] {vocab, d});
    int hd = d / heads;
    for (int l = 0; l < layers; l++) {
      String p = "language_model.model.layers." + l + ".";
      put.accept(p + "input_layernorm.weight", new long[] {d});
      put.accept(p + "post_attention_layernorm.weight", new long[] {d});
      put.accept(p + "self_attn.q_proj.weight", new long[] {(long) heads * hd, d});
      put.accept(p + "self_attn.k_proj.weight", new long[] {(long) kv * hd, d});
      put.accept(p + "self_attn.v_proj.weight", new long[] {(long) kv * hd, d});
      put.accept(p + "self_attn.o_proj.weight", new long[] {d, (long) heads * hd});
      put.accept(p + "mlp.gate_proj.weight", new long[] {inter, d});
      put.accept(p + "mlp.up_proj.weight", new long[] {inter, d});
      put.accept(p + "mlp.down_proj.weight", new long[] {d, inter});
    }
    put.accept("language_model.model.norm.weight", new long[] {d});
    put.accept("language_model.lm_head.weight", new long[] {vocab, d});
    w.write(dir.resolve("model.safetensors"));
    return count[0];
  }
}
