package org.visualscratchpad.torch.family.qwen2vl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.attention.AttentionConvention;
import org.visualscratchpad.attention.AttentionTap;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.intervention.ErrorTerm;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.sae.SparseAutoencoder;
import org.visualscratchpad.sae.format.SaeLoader;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.Fixtures;
import org.visualscratchpad.torch.checkpoint.TensorFile;
import org.visualscratchpad.torch.llava.Generation;
import org.visualscratchpad.torch.llava.GenerationRequest;
import org.visualscratchpad.torch.llava.ImageInput;
import org.visualscratchpad.torch.llava.LlavaModel;
import org.visualscratchpad.torch.llava.PromptCache;
import org.visualscratchpad.torch.llava.SaeTap;
import org.visualscratchpad.torch.trace.DenseTensor;

/**
 * Qwen2-VL through {@code LlavaModel} on the CPU engine: single-sequence generation with several images in one
 * prompt (M-RoPE positions and {@code rope_deltas} while decoding) against transformers' greedy tokens, the SAE
 * hook on the vision stream (no CLS, one crop per image), interventions and reuse of the stream at the hook.
 */
class Qwen2VLModelTest {
  @TempDir static Path tmp;
  static LlavaModel model;
  static SparseAutoencoder sae;
  static TensorFile inputs;
  static TensorFile outputs;
  static List<ImageInput> images;   // fixture images 0 and 1

  @BeforeAll
  static void load() {
    Path dir = Fixtures.folder("qwen2_vl");
    model = LlavaModel.load(dir);
    sae = SaeLoader.load(org.visualscratchpad.torch.FamilyFixtureFiles.unitRowSae(tmp.resolve("sae"), 32, 96, 1));
    inputs = TensorFile.open(dir.resolve("inputs.safetensors"));
    outputs = TensorFile.open(dir.resolve("outputs.safetensors"));
    images = Qwen2VLImageProcessor.imageInputs(inputs.tensor("pixel_values"), inputs.longRows("image_grid_thw"),
        i -> inputs.shape("raw_image." + i), List.of(0, 1), ((Qwen2VLConfig) model.config()).vision());
  }

  @AfterAll
  static void close() {
    model.close();
    inputs.close();
    outputs.close();
  }

  /** {@code raw_image.i}, the uint8 HWC source image. */
  static org.visualscratchpad.torch.input.image.RgbImage rawImage(TensorFile in, int i) {
    long[] shape = in.shape("raw_image." + i);
    float[] v = in.tensor("raw_image." + i).toArray();
    byte[] b = new byte[v.length];
    for (int k = 0; k < v.length; k++) {
      b[k] = (byte) (int) v[k];
    }
    return org.visualscratchpad.torch.input.image.RgbImage.of((int) shape[0], (int) shape[1], b);
  }

  static List<Integer> prompt(String kase) {
    return Arrays.stream(inputs.longRows(kase + ".input_ids")[0]).mapToObj(v -> (int) v).toList();
  }

  /** The multi case: image 1, then image 0, in one prompt. */
  static GenerationRequest multi() {
    return GenerationRequest.of(prompt("multi"), List.of(images.get(1), images.get(0)), 8);
  }

  static float maxDiff(FloatMatrix a, float[] b, int from) {
    float m = 0;
    float[] x = a.toArray();
    for (int i = 0; i < x.length; i++) {
      m = Math.max(m, Math.abs(x[i] - b[from + i]));
    }
    return m;
  }

  @Test
  void two_images_in_one_prompt_generate_transformers_tokens_and_step_logits() {
    Generation g = model.generate(multi());
    long[] want = outputs.longRows("multi.generated_ids")[0];
    List<Integer> tail = new ArrayList<>();
    for (int t = prompt("multi").size(); t < want.length; t++) {
      tail.add((int) want[t]);
    }
    assertEquals(tail, g.newTokens());
    float[] steps = outputs.tensor("multi.generated_step_logits").toArray();
    assertTrue(maxDiff(g.stepLogits(), steps, 0) < 1e-4f, "step logits: " + maxDiff(g.stepLogits(), steps, 0));
    assertEquals(14, g.imageTokenPositions().size());
  }

  @Test
  void the_resized_image_and_hf_s_flattened_patches_are_the_same_input() {
    Qwen2VLImageProcessor proc = Qwen2VLImageProcessor.of(((Qwen2VLConfig) model.config()).processor());
    ImageInput resized = ImageInput.from(proc.preprocess(rawImage(inputs, 0)));
    assertEquals(List.of(1L, 3L, 56L, 84L), Arrays.stream(resized.pixels().shape()).boxed().toList());
    GenerationRequest hf = GenerationRequest.of(prompt("single"), List.of(images.get(0)), 8);
    GenerationRequest own = GenerationRequest.of(prompt("single"), List.of(resized), 8);
    Generation a = model.generate(hf);
    Generation b = model.generate(own);
    assertEquals(a.newTokens(), b.newTokens());
    assertTrue(a.stepLogits().maxAbsDiff(b.stepLogits()) < 1e-6f);
  }

  @Test
  void the_sae_hook_reads_each_image_s_stream_without_cls_in_merge_window_order() {
    Generation g = model.generate(multi().withSae(SaeTap.read(sae)));
    assertEquals(2, g.hookActivations().size());
    FloatMatrix first = g.hookActivations().get(0);    // image 1: 8 x 4 patches
    FloatMatrix second = g.hookActivations().get(1);   // image 0: 4 x 6 patches
    assertEquals(32, first.rows());
    assertEquals(24, second.rows());
    float[] joint = outputs.tensor("vision.hidden_states.2").toArray();   // [56, 32]: image 0 then image 1
    assertTrue(maxDiff(first, joint, 24 * 32) < 1e-5f);
    assertTrue(maxDiff(second, joint, 0) < 1e-5f);
    assertEquals(second, model.residualStream(images.get(0), HookPoint.visionResidPost(1)).get(0));
    assertEquals(false, model.hasClsToken());
  }

  @Test
  void an_identity_plan_reproduces_the_baseline_and_dropping_the_error_term_moves_the_logits() {
    Generation base = model.generate(multi());
    Generation read = model.generate(multi().withSae(SaeTap.read(sae)));
    assertEquals(base.newTokens(), read.newTokens());
    assertEquals(base.stepLogits(), read.stepLogits());
    Generation drop = model.generate(multi().withSae(new SaeTap(sae, InterventionPlan.none()
        .withErrorTerm(ErrorTerm.DROP))));
    assertNotEquals(base.stepLogits(), drop.stepLogits());
    assertTrue(drop.editedActivations().get(0).maxAbsDiff(drop.hookActivations().get(0)) > 1e-3f);
  }

  @Test
  void regeneration_reuses_the_stream_at_the_hook_and_the_text_before_the_first_image() {
    GenerationRequest req = multi().withSae(SaeTap.read(sae))
        .withAttention(AttentionTap.all(AttentionConvention.PRODUCING_STEP));
    LlavaModel.Reusing first = model.generateReusing(req, null);
    PromptCache cache = first.cache();
    assertTrue(cache != null);
    long[] before = model.workDone();
    Generation again = model.generate(req, cache);
    long[] after = model.workDone();
    // hook after block 1: only block 2 of the 3 runs again; the 4 tokens before the first image are cached
    assertEquals(1, after[0] - before[0]);
    assertEquals(prompt("multi").size() - 4 + again.newTokens().size() - 1, after[1] - before[1]);
    assertEquals(first.generation().newTokens(), again.newTokens());
    assertTrue(first.generation().stepLogits().maxAbsDiff(again.stepLogits()) < 1e-5f);
    // an ablation through the cache equals the same ablation from scratch
    InterventionPlan plan = InterventionPlan.of(LatentIntervention.ablate(List.of(0, 1, 2, 3, 4, 5, 6, 7)))
        .withErrorTerm(ErrorTerm.DROP);
    Generation cached = model.generate(multi().withSae(new SaeTap(sae, plan)), cache);
    Generation fresh = model.generate(multi().withSae(new SaeTap(sae, plan)));
    assertEquals(fresh.newTokens(), cached.newTokens());
    assertTrue(fresh.stepLogits().maxAbsDiff(cached.stepLogits()) < 1e-5f);
  }

  @Test
  void attention_to_the_image_tokens_is_captured_per_merged_token() {
    Generation g = model.generate(multi().withAttention(AttentionTap.all(AttentionConvention.PRODUCING_STEP)));
    assertEquals(14, g.attention().weights().cols());
    assertEquals(8, g.attention().weights().rows());
    for (int t = 0; t < 8; t++) {
      float mass = g.attention().imageMass(t);
      assertTrue(mass > 0 && mass < 1, "image mass " + mass);
    }
  }

  @Test
  void images_or_prompts_that_do_not_fit_are_refused_clearly_and_the_model_stays_usable() {
    // the pixels of image 0 claimed to come from a 300 x 300 image: the processor would have made it 84 x 84
    ImageInput wrong = new ImageInput(images.get(0).pixels(), 300, 300, images.get(0).grid());
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> model.generate(GenerationRequest.of(prompt("single"), List.of(wrong), 2)));
    assertTrue(e.getMessage().contains("max_pixels 9408") && e.getMessage().contains("84x84"), e.getMessage());
    // an image block without its <|vision_start|>: get_rope_index would not count it
    List<Integer> noStart = new ArrayList<>(prompt("single"));
    noStart.set(noStart.indexOf(197), 5);
    e = assertThrows(InvalidInputException.class,
        () -> model.generate(GenerationRequest.of(noStart, List.of(images.get(0)), 2)));
    assertTrue(e.getMessage().contains("vision_start"), e.getMessage());
    // pixels of another layout (a CLIP crop)
    ImageInput clip = new ImageInput(DenseTensor.adopt(new long[] {2, 3, 28, 28}, new float[2 * 3 * 28 * 28]), 28, 28);
    e = assertThrows(InvalidInputException.class,
        () -> model.generate(GenerationRequest.of(prompt("single"), List.of(clip), 2)));
    assertTrue(e.getMessage().contains("[1, 3, H, W]"), e.getMessage());
    // flattened patches whose grid is a video, or does not match the rows
    ImageInput video = new ImageInput(images.get(0).pixels(), 60, 90, List.of(2, 4, 3));
    e = assertThrows(InvalidInputException.class,
        () -> model.generate(GenerationRequest.of(prompt("single"), List.of(video), 2)));
    assertTrue(e.getMessage().contains("still images only"), e.getMessage());
    ImageInput misfit = new ImageInput(images.get(0).pixels(), 60, 90, List.of(1, 6, 6));
    e = assertThrows(InvalidInputException.class,
        () -> model.generate(GenerationRequest.of(prompt("single"), List.of(misfit), 2)));
    assertTrue(e.getMessage().contains("needs [36, 1176]"), e.getMessage());
    Generation ok = model.generate(GenerationRequest.of(prompt("single"), List.of(images.get(0)), 8));
    long[] want = outputs.longRows("single.generated_ids")[0];
    assertEquals((int) want[want.length - 1], ok.newTokens().get(7));
  }

  @Test
  void libtorch_refuses_the_family_naming_the_cpu_engine() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> LlavaModel.load(Fixtures.folder("qwen2_vl"), "torch:cpu"));
    assertTrue(e.getMessage().contains("CPU engine only"), e.getMessage());
  }
}
