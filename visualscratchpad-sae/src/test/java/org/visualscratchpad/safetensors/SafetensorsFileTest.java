package org.visualscratchpad.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.tensor.FloatMatrix;

class SafetensorsFileTest {
  @TempDir Path dir;

  @Test
  void round_trips_every_dtype_with_metadata() {
    SplittableRandom rnd = new SplittableRandom(7);
    float[] f = new float[3 * 5];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) rnd.nextGaussian();
    }
    Path file = dir.resolve("all.safetensors");
    new SafetensorsWriter()
        .putFloats("f32", f, 3, 5)
        .putF16("f16", f, 15)
        .putBF16("bf16", f, 3, 5)
        .putLongs("i64", new long[] {1, -2, 1L << 40}, 3)
        .putInts("i32", new int[] {7, -8}, 2)
        .putBytes("u8", new byte[] {(byte) 255, 0}, 2)
        .putFloats("scalar", new float[] {2.5f})
        .metadata("format", "pt")
        .write(file);
    try (SafetensorsFile st = SafetensorsFile.open(file)) {
      assertEquals(List.of("f32", "f16", "bf16", "i64", "i32", "u8", "scalar"), st.names());
      assertEquals(Map.of("format", "pt"), st.metadata());
      assertArrayEquals(f, st.floats("f32"));
      assertEquals(FloatMatrix.of(3, 5, f), st.floatMatrix("f32"));
      float[] h = st.floats("f16");
      float[] b = st.floats("bf16");
      for (int i = 0; i < f.length; i++) {
        assertEquals(f[i], h[i], Math.abs(f[i]) * 1e-3 + 1e-7);
        assertEquals(f[i], b[i], Math.abs(f[i]) * 8e-3);
      }
      assertArrayEquals(new long[] {1, -2, 1L << 40}, st.longs("i64"));
      assertArrayEquals(new int[] {7, -8}, st.ints("i32"));
      assertArrayEquals(new long[] {255, 0}, st.longs("u8"));
      assertEquals(List.of(), st.info("scalar").shape());
      assertEquals(2.5f, st.floats("scalar")[0]);
      CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> st.floats("i64"));
      assertTrue(e.getMessage().contains("not a floating-point type"), e.getMessage());
      CheckpointFormatException missing = assertThrows(CheckpointFormatException.class, () -> st.info("nope"));
      assertTrue(missing.getMessage().contains("has no tensor 'nope'"), missing.getMessage());
    }
  }

  @Test
  void half_conversions_are_exact_for_every_f16_and_round_to_nearest_even() {
    for (int bits = 0; bits < 0x10000; bits++) {
      float v = Half.f16ToFloat((short) bits);
      if (Float.isNaN(v)) {
        assertTrue(Float.isNaN(Half.f16ToFloat(Half.floatToF16(v))));
      } else {
        assertEquals((short) bits, Half.floatToF16(v), "bits " + Integer.toHexString(bits));
      }
    }
    assertEquals(1.0f, Half.f16ToFloat(Half.floatToF16(1.0002f)));
    assertEquals(65504f, Half.f16ToFloat(Half.floatToF16(65504f)));
    assertEquals(Float.POSITIVE_INFINITY, Half.f16ToFloat(Half.floatToF16(1e6f)));
    assertEquals(1.0f, Half.bf16ToFloat(Half.floatToBf16(1.001f)));
    assertEquals(-3.0f, Half.bf16ToFloat((short) 0xc040));
  }

  @Test
  void reads_the_shared_fixtures_sharded_and_single_alike() {
    Path root = Path.of(System.getProperty("vsp.shared.dir", "../shared"), "fixtures/hf-reference/llava_next_llama3");
    try (SafetensorsCheckpoint single = SafetensorsCheckpoint.open(root);
        SafetensorsCheckpoint sharded = SafetensorsCheckpoint.open(root.resolve("sharded"))) {
      assertEquals(3, sharded.files().size());
      assertEquals(single.names().stream().sorted().toList(), sharded.names().stream().sorted().toList());
      for (String n : single.names()) {
        assertArrayEquals(single.floats(n), sharded.floats(n), n);
      }
    }
    Path f16 = root.resolveSibling("llava_next_llama3_f16weights");
    try (SafetensorsCheckpoint half = SafetensorsCheckpoint.open(f16);
        SafetensorsCheckpoint full = SafetensorsCheckpoint.open(root)) {
      String name = half.names().get(0);
      assertEquals(DType.F16, half.info(name).dtype());
      float[] a = half.floats(name);
      float[] b = full.floats(name);
      assertEquals(a.length, b.length);
    }
  }

  // ---- bad input: each error names the file and the numbers ----

  @Test
  void a_truncated_file_is_reported_with_its_size() throws IOException {
    Path good = dir.resolve("good.safetensors");
    new SafetensorsWriter().putFloats("w", new float[64], 8, 8).write(good);
    byte[] bytes = Files.readAllBytes(good);
    Path cut = dir.resolve("cut.safetensors");
    Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 10));
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SafetensorsFile.open(cut));
    assertTrue(e.getMessage().contains("cut.safetensors") && e.getMessage().contains("run past the end"), e.getMessage());
    Path tiny = dir.resolve("tiny.safetensors");
    Files.write(tiny, new byte[] {1, 2, 3});
    assertTrue(assertThrows(CheckpointFormatException.class, () -> SafetensorsFile.open(tiny))
        .getMessage().contains("shorter than the 8-byte header length"));
  }

  @Test
  void header_length_beyond_the_file_or_the_bound_is_rejected() throws IOException {
    Path beyond = raw("beyond", 5000, "{}", new byte[0]);
    assertTrue(message(beyond).contains("runs past the end of the"), message(beyond));
    Path huge = raw("huge", 200_000_000L, "{}", new byte[0]);
    assertTrue(message(huge).contains("must lie in [2, 100000000]"), message(huge));
  }

  @Test
  void overlapping_gapped_and_out_of_range_offsets_are_rejected() throws IOException {
    String overlap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
    assertTrue(message(raw("overlap", -1, overlap, new byte[12])).contains("overlap"));
    String gap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
    assertTrue(message(raw("gap", -1, gap, new byte[12])).contains("gap"));
    String outside = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
    String m = message(raw("outside", -1, outside, new byte[8]));
    assertTrue(m.contains("cover 16 bytes but the data section holds 8"), m);
  }

  @Test
  void dtype_shape_and_byte_length_must_agree() throws IOException {
    String mismatch = "{\"w\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,20]}}";
    String m = message(raw("mismatch", -1, mismatch, new byte[20]));
    assertTrue(m.contains("tensor 'w' is F32 [3, 2] = 6 elements x 4 bytes = 24 bytes") && m.contains("span 20 bytes"), m);
    String dtype = "{\"w\":{\"dtype\":\"F8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
    assertTrue(message(raw("dtype", -1, dtype, new byte[1])).contains("has dtype F8"));
    assertTrue(message(raw("json", -1, "{\"w\": [", new byte[0])).contains("not well-formed JSON"));
    String dup = "{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}";
    assertTrue(message(raw("dup", -1, dup, new byte[2])).contains("not well-formed JSON"));
  }

  @Test
  void a_shape_whose_byte_length_overflows_is_refused_with_the_file_and_tensor_named() throws IOException {
    // (2^62 + 8704) F32 elements = 2^64 + 34816 bytes, which wraps to 34816 in long arithmetic
    String wraps = "{\"big\":{\"dtype\":\"F32\",\"shape\":[" + ((1L << 62) + 8704) + "],\"data_offsets\":[0,34816]}}";
    String m = message(raw("wraps", -1, wraps, new byte[34816]));
    assertTrue(m.contains("wraps.safetensors") && m.contains("tensor 'big'") && m.contains("overflow"), m);
    // the element count itself overflows
    String numel = "{\"n\":{\"dtype\":\"U8\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}";
    String n = message(raw("numel", -1, numel, new byte[0]));
    assertTrue(n.contains("tensor 'n'") && n.contains("overflow"), n);
  }

  @Test
  void a_header_length_that_fits_the_file_only_without_the_8_length_bytes_is_refused() throws IOException {
    // file = 8 + 2 + 20 bytes = 30; a header length of 26 fits in 30 but not after the 8 length bytes
    Path edge = raw("edge", 26, "{}", new byte[20]);
    assertTrue(message(edge).contains("runs past the end of the 30-byte file"), message(edge));
    Path padded = raw("padded", -1, "{}" + " ".repeat(20), new byte[0]);  // 8 + 22 == 30: a space-padded header
    try (SafetensorsFile f = SafetensorsFile.open(padded)) {
      assertEquals(List.of(), f.names());
    }
    // 8 + 22 == 30 but the header's last 20 bytes are not JSON whitespace
    assertTrue(message(raw("garbage", 22, "{}", new byte[20])).contains("not well-formed JSON"));
    Path exact = raw("exact", 2, "{}", new byte[0]);
    try (SafetensorsFile f = SafetensorsFile.open(exact)) {
      assertEquals(List.of(), f.names());
    }
  }

  @Test
  void trailing_bytes_after_the_last_tensor_are_refused() throws IOException {
    String one = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    String m = message(raw("trailing", -1, one, new byte[9]));
    assertTrue(m.contains("trailing.safetensors") && m.contains("cover 8 bytes but the data section holds 9")
        && m.contains("trailing bytes"), m);
    String none = message(raw("empty", -1, "{}", new byte[4]));
    assertTrue(none.contains("cover 0 bytes but the data section holds 4"), none);
  }

  @Test
  void a_matrix_whose_rows_do_not_fit_an_int_is_refused_without_an_arithmetic_exception() throws IOException {
    String zero = "{\"z\":{\"dtype\":\"F32\",\"shape\":[4294967296,0],\"data_offsets\":[0,0]}}";
    try (SafetensorsFile f = SafetensorsFile.open(raw("zero", -1, zero, new byte[0]))) {
      CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> f.floatMatrix("z"));
      assertTrue(e.getMessage().contains("tensor 'z'"), e.getMessage());
    }
  }

  @Test
  void a_shard_index_naming_a_missing_file_is_reported() throws IOException {
    Path ckpt = Files.createDirectories(dir.resolve("ckpt"));
    new SafetensorsWriter().putFloats("a", new float[2], 2).write(ckpt.resolve("model-00001-of-00002.safetensors"));
    Files.writeString(ckpt.resolve(SafetensorsCheckpoint.INDEX), "{\"metadata\":{},\"weight_map\":{"
        + "\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\"}}");
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SafetensorsCheckpoint.open(ckpt));
    assertTrue(e.getMessage().contains("model-00002-of-00002.safetensors") && e.getMessage().contains("does not exist"),
        e.getMessage());
  }

  private String message(Path file) {
    return assertThrows(CheckpointFormatException.class, () -> SafetensorsFile.open(file)).getMessage();
  }

  private Path raw(String name, long headerLen, String header, byte[] data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(headerLen < 0 ? h.length : headerLen).put(h).put(data);
    Path p = dir.resolve(name + ".safetensors");
    Files.write(p, b.array());
    return p;
  }
}
