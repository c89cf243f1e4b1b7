package org.visualscratchpad.torch.llava;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.sae.SaeConfig;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.SparseAutoencoder;
import org.visualscratchpad.sae.format.SaeLoader;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.Fixtures;
import org.visualscratchpad.torch.checkpoint.TensorFile;
import org.visualscratchpad.torch.clip.ClipModel;
import org.visualscratchpad.torch.input.image.ImageDecoder;
import org.visualscratchpad.torch.input.preprocess.ImagePreprocessor;
import org.visualscratchpad.torch.input.preprocess.PixelValues;
import org.visualscratchpad.torch.trace.DenseTensor;

/**
 * {@code close()} while a call is running (issue 13 item 3): on both engines the call finishes with the
 * weights intact and the answer it would have given, {@code close()} returns only after it, and later
 * calls are refused with a clear error; and the vision encoders preprocess with their folder's own
 * processor instead of a shared, mutable one (item 4).
 */
class CloseDuringCallTest {

  /** An SAE whose edits wait at a latch: holds a call inside the model for as long as the test wants. */
  static final class HeldSae implements SparseAutoencoder {
    final SparseAutoencoder sae;
    final CountDownLatch inside = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final Runnable whileInside;

    HeldSae(SparseAutoencoder sae, Runnable whileInside) {
      this.sae = sae;
      this.whileInside = whileInside;
    }

    @Override
    public SaeConfig config() {
      return sae.config();
    }

    @Override
    public SparseActivations encode(FloatMatrix input) {
      return sae.encode(input);
    }

    @Override
    public FloatMatrix preActivations(FloatMatrix input) {
      return sae.preActivations(input);
    }

    @Override
    public FloatMatrix decode(SparseActivations codes) {
      return sae.decode(codes);
    }

    @Override
    public FloatMatrix intervene(FloatMatrix input, SparseActivations codes, int crop, InterventionPlan plan) {
      inside.countDown();
      whileInside.run();
      try {
        assertTrue(release.await(30, TimeUnit.SECONDS), "the test never released the call");
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return sae.intervene(input, codes, crop, plan);
    }

    @Override
    public float[] decoderDirection(int latentId) {
      return sae.decoderDirection(latentId);
    }
  }

  static final InterventionPlan PLAN = InterventionPlan.of(LatentIntervention.ablate(List.of(0, 1, 2)));

  static GenerationRequest request(Path dir, SparseAutoencoder sae) {
    try (TensorFile in = TensorFile.open(dir.resolve("inputs.safetensors"))) {
      List<Integer> prompt = Arrays.stream(in.longs("case0.input_ids")).mapToObj(v -> (int) v).toList();
      ImageInput image = new ImageInput(in.tensor("pixel_values").range(0, 1), 42, 42);
      return GenerationRequest.of(prompt, List.of(image), 6).withSae(new SaeTap(sae, PLAN));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "torch:cpu"})
  void close_waits_for_a_running_generation_which_finishes_as_it_would_have(String device) throws Exception {
    Path dir = Fixtures.folder("scratchpad_llava");
    SparseAutoencoder sae = SaeLoader.load(dir.resolve("sae"));
    LlavaModel model = LlavaModel.load(dir, device);
    Generation expected = model.generate(request(dir, sae));
    HeldSae held = new HeldSae(sae, () -> { });
    CompletableFuture<Generation> running = CompletableFuture.supplyAsync(() -> model.generate(request(dir, held)));
    assertTrue(held.inside.await(30, TimeUnit.SECONDS));
    Thread closer = new Thread(model::close);
    closer.start();
    closer.join(300);
    assertTrue(closer.isAlive(), "close() returned (and freed the weights) while a generation was running");
    ScratchpadException refused = assertThrows(ScratchpadException.class, () -> model.generate(request(dir, sae)));
    assertTrue(refused.getMessage().contains("LlavaModel " + dir + " is closed"), refused.getMessage());
    held.release.countDown();
    Generation g = running.get(60, TimeUnit.SECONDS);
    assertEquals(expected.newTokens(), g.newTokens());
    assertEquals(expected.stepLogits(), g.stepLogits());
    closer.join(30_000);
    assertFalse(closer.isAlive());
    ScratchpadException after = assertThrows(ScratchpadException.class,
        () -> model.residualStream(request(dir, sae).images().get(0), HookPoint.visionResidPost(1)));
    assertTrue(after.getMessage().contains("is closed; load it again"), after.getMessage());
    model.close();   // idempotent, never throws
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "torch:cpu"})
  void closing_from_inside_a_call_lets_that_call_finish_then_frees(String device) throws Exception {
    Path dir = Fixtures.folder("scratchpad_llava");
    SparseAutoencoder sae = SaeLoader.load(dir.resolve("sae"));
    LlavaModel model = LlavaModel.load(dir, device);
    Generation expected = model.generate(request(dir, sae));
    HeldSae held = new HeldSae(sae, model::close);
    held.release.countDown();
    Generation g = model.generate(request(dir, held));
    assertEquals(expected.newTokens(), g.newTokens());
    assertThrows(ScratchpadException.class, () -> model.generate(request(dir, sae)));
  }

  @Test
  void clip_close_waits_for_a_running_encoding() throws Exception {
    Path dir = Fixtures.folder("scratchpad_llava");
    SparseAutoencoder sae = SaeLoader.load(dir.resolve("sae"));
    Path clipDir = Fixtures.folder("clip");
    ClipModel clip = ClipModel.load(clipDir);
    DenseTensor pixels = clipPixels(clipDir);
    SparseAutoencoder clipSae = sae;   // d_in 32 at vision layer 1 fits the tiny CLIP tower too
    FloatMatrix expected = clip.encodeImages(pixels, new SaeTap(clipSae, PLAN)).imageEmbeds();
    HeldSae held = new HeldSae(clipSae, () -> { });
    CompletableFuture<FloatMatrix> running = CompletableFuture.supplyAsync(
        () -> clip.encodeImages(pixels, new SaeTap(held, PLAN)).imageEmbeds());
    assertTrue(held.inside.await(30, TimeUnit.SECONDS));
    Thread closer = new Thread(clip::close);
    closer.start();
    closer.join(300);
    assertTrue(closer.isAlive(), "close() returned (and freed the weights) while an encoding was running");
    held.release.countDown();
    assertEquals(expected, running.get(60, TimeUnit.SECONDS));
    closer.join(30_000);
    assertFalse(closer.isAlive());
    ScratchpadException after = assertThrows(ScratchpadException.class, () -> clip.encodeImages(pixels, false));
    assertTrue(after.getMessage().contains("ClipModel " + clipDir + " is closed"), after.getMessage());
  }

  static DenseTensor clipPixels(Path clipDir) {
    BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    img.setRGB(3, 4, 0xff0000);
    PixelValues p = ImagePreprocessor.forCheckpoint(clipDir).preprocess(ImageDecoder.toRgb(img)).crops().get(0);
    return DenseTensor.of(new long[] {1, 3, p.height(), p.width()}, p.channels().toArray());
  }

  @Test
  void the_vision_encoders_preprocess_images_with_their_own_folder_s_processor() {
    Path clipDir = Fixtures.folder("clip");
    BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 30; y++) {
      for (int x = 0; x < 40; x++) {
        img.setRGB(x, y, ((x * 6) << 16) | ((y * 8) << 8) | ((x * y) % 256));
      }
    }
    HookPoint hook = HookPoint.visionResidPost(1);
    try (ClipModel clip = ClipModel.load(clipDir)) {
      PixelValues p = ImagePreprocessor.forCheckpoint(clipDir).preprocess(ImageDecoder.toRgb(img)).crops().get(0);
      DenseTensor px = DenseTensor.of(new long[] {1, 3, p.height(), p.width()}, p.channels().toArray());
      assertEquals(clip.residualStream(px, hook), clip.residualStream(img, hook));
    }
    Path llavaDir = Fixtures.folder("scratchpad_llava");
    try (LlavaModel llava = LlavaModel.load(llavaDir)) {
      ImageInput in = ImageInput.from(ImagePreprocessor.forCheckpoint(llavaDir).preprocess(ImageDecoder.toRgb(img)));
      assertEquals(llava.residualStream(in, hook), llava.residualStream(img, hook));
    }
  }
}
