package org.visualscratchpad.sae.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.sae.SaeArchitecture;
import org.visualscratchpad.sae.kernel.PureJavaSae;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * PatchSAE checkpoints through the restricted unpickler. The .pt files were written by
 * src/test/resources/patchsae/make_patchsae_fixture.py with a stub torch module (no real torch on
 * the build machines), following torch.save's zip layout and protocol-2 pickle.
 */
class PatchSaeTest {
  @TempDir Path tmp;

  private static Path resource(String name) {
    try {
      return Path.of(PatchSaeTest.class.getResource("/patchsae/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void loads_a_patchsae_checkpoint_with_strided_and_shared_storages() {
    Path pt = resource("tiny_patchsae.pt");
    assertEquals(SaeFormat.PATCHSAE, SaeLoader.detect(pt));
    PureJavaSae sae = SaeLoader.load(pt, 16);
    assertEquals(SaeArchitecture.STANDARD, sae.config().architecture());
    assertEquals(16, sae.dIn());
    assertEquals(48, sae.dSae());
    assertEquals(HookPoint.visionResidPost(10), sae.config().hookPoint());
    assertEquals("openai/clip-vit-base-patch16", sae.config().modelName());
    assertEquals("float32", sae.config().dtype());
    try (SafetensorsFile expected = SafetensorsFile.open(resource("tiny_patchsae_expected.safetensors"))) {
      float[] wDec = expected.floats("W_dec");
      for (int j = 0; j < 48; j++) {
        assertArrayEquals(Arrays.copyOfRange(wDec, j * 16, j * 16 + 16), sae.decoderDirection(j), "W_dec row " + j);
      }
      FloatMatrix x = FloatMatrix.adopt(5, 16, expected.floats("input"));
      FloatMatrix pre = sae.preActivations(x);
      FloatMatrix want = FloatMatrix.adopt(5, 48, expected.floats("expected_pre"));
      assertTrue(pre.maxAbsDiff(want) < 1e-5f, "pre-activations differ from NumPy's by " + pre.maxAbsDiff(want));
    }
  }

  @Test
  void the_config_object_is_kept_as_data_with_torch_globals_as_names() {
    try (TorchPickle p = TorchPickle.open(resource("tiny_patchsae.pt"))) {
      Map<?, ?> root = assertInstanceOf(Map.class, p.root());
      TorchPickle.Opaque cfg = assertInstanceOf(TorchPickle.Opaque.class, root.get("cfg"));
      assertEquals("patchsae.config.Config", cfg.type().qualified());
      Map<?, ?> state = assertInstanceOf(Map.class, cfg.state());
      assertEquals(new TorchPickle.Global("torch", "float32"), state.get("dtype"));
      TorchPickle.Opaque device = assertInstanceOf(TorchPickle.Opaque.class, state.get("device"));
      assertEquals("torch.device", device.type().qualified());
      assertEquals(List.of("cpu"), device.args().items());
      assertEquals(8e-5, (Double) state.get("l1_coefficient"), 0);
      Map<?, ?> sd = assertInstanceOf(Map.class, root.get("state_dict"));
      TorchPickle.Tensor wEnc = assertInstanceOf(TorchPickle.Tensor.class, sd.get("W_enc"));
      assertArrayEquals(new long[] {16, 48}, wEnc.size());
      assertArrayEquals(new long[] {1, 16}, wEnc.stride());
      assertEquals(48, ((TorchPickle.Tensor) sd.get("b_dec")).offset());
    }
  }

  @Test
  void a_pickled_call_of_os_system_is_never_executed() {
    Path marker = Path.of("/tmp/vsp-unpickler-executed-this");
    assertFalse(Files.exists(marker), "marker must not exist before the test");
    try (TorchPickle p = TorchPickle.open(resource("unsafe_patchsae.pt"))) {
      TorchPickle.Opaque call = assertInstanceOf(TorchPickle.Opaque.class, ((Map<?, ?>) p.root()).get("cfg"));
      assertEquals("posix.system", call.type().qualified());
      assertEquals(List.of("touch /tmp/vsp-unpickler-executed-this"), call.args().items());
    }
    CheckpointFormatException noHook = assertThrows(CheckpointFormatException.class,
        () -> SaeLoader.load(resource("unsafe_patchsae.pt")));
    assertTrue(noHook.getMessage().contains("cfg names no hook point"), noHook.getMessage());
    PureJavaSae sae = SaeLoader.load(resource("unsafe_patchsae.pt"),
        SaeLoadOptions.defaults().withHookPoint(HookPoint.visionResidPost(10)));
    assertEquals(48, sae.dSae());
    assertFalse(Files.exists(marker), "loading must not run the pickled command");
  }

  @Test
  void truncated_checkpoint_is_reported_with_its_path() throws IOException {
    byte[] all = Files.readAllBytes(resource("tiny_patchsae.pt"));
    Path cut = tmp.resolve("cut.pt");
    Files.write(cut, Arrays.copyOf(all, all.length / 2));
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SaeLoader.load(cut));
    assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
  }

  @Test
  void a_file_that_is_not_a_zip_is_refused_with_the_reason() throws IOException {
    Path legacy = tmp.resolve("legacy.pt");
    Files.write(legacy, new byte[] {(byte) 0x80, 2, 'K', 1, '.'});
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SaeLoader.load(legacy));
    assertTrue(e.getMessage().contains("is not a torch.save zip file"), e.getMessage());
  }

  /** Found by fuzzing: a pickle that pops below its MARK made the unpickler throw IllegalArgumentException. */
  @Test
  void a_pickle_that_consumes_items_below_its_mark_is_a_checkpoint_error() throws IOException {
    Path bad = tmp.resolve("below-mark.pt");
    try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(bad))) {
      z.putNextEntry(new java.util.zip.ZipEntry("archive/data.pkl"));
      z.write(new byte[] {(byte) 0x80, 2, 'N', '(', '0', 't', '.'});  // None, MARK, POP (the None), TUPLE
      z.closeEntry();
    }
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SaeLoader.load(bad));
    assertTrue(e.getMessage().contains("MARK"), e.getMessage());
  }

  /** Found by the 1,000,000-case fuzz run (seed 20261207): TUPLE1 of None threw NullPointerException. */
  @Test
  void a_one_item_tuple_of_none_is_data_not_a_null_pointer() throws IOException {
    Path bad = tmp.resolve("tuple1-none.pt");
    try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(bad))) {
      z.putNextEntry(new java.util.zip.ZipEntry("archive/data.pkl"));
      z.write(new byte[] {(byte) 0x80, 2, 'N', (byte) 0x85, '.'});  // (None,)
      z.closeEntry();
    }
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SaeLoader.load(bad));
    assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
  }

  /**
   * Found by the same run: a tensor rebuilt with fewer strides than dimensions threw
   * ArrayIndexOutOfBoundsException (the input the fuzzer saved, a mutated tiny_patchsae.pt).
   */
  @Test
  void a_tensor_with_fewer_strides_than_dimensions_is_a_checkpoint_error() throws Exception {
    Path bad = tmp.resolve("short-stride.pt");
    Files.copy(resource("fuzz_short_stride.pt"), bad);
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SaeLoader.load(bad));
    assertTrue(e.getMessage().contains("one stride per dimension"), e.getMessage());
  }
}
