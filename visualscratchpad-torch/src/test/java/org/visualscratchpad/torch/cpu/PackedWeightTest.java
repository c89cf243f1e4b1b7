package org.visualscratchpad.torch.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.safetensors.DType;
import org.visualscratchpad.safetensors.Half;

/** Packing: a matrix reads back as stored, and a stack packed in place equals the concatenation of its parts. */
class PackedWeightTest {

  private static ByteBuffer f16(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putShort(Half.floatToF16(f));
    }
    return b.flip();
  }

  private static float[] random(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  @Test
  void a_packed_matrix_reads_back_every_stored_value_in_every_storage() {
    int out = 70;
    int in = 37;
    float[] v = random(out * in, 1);
    PackedWeight f = PackedWeight.pack(f16(v), DType.F16, out, in, null);
    PackedWeight asF32 = PackedWeight.pack(f16(v), DType.F16, out, in, PackedWeight.Storage.F32);
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        float stored = Half.f16ToFloat(Half.floatToF16(v[o * in + i]));
        assertEquals(stored, f.get(o, i));
        assertEquals(stored, asF32.get(o, i));
      }
    }
    assertEquals(PackedWeight.Storage.F16, f.storage());
  }

  @Test
  void a_stack_packed_in_place_equals_the_concatenation_of_its_parts() {
    int in = 45;
    int[] outs = {64, 32, 40};
    float[][] parts = new float[outs.length][];
    PackedWeight[] packed = new PackedWeight[outs.length];
    PackedWeight.Stack stack = new PackedWeight.Stack(outs, in, PackedWeight.Storage.F16);
    for (int p = 0; p < outs.length; p++) {
      parts[p] = random(outs[p] * in, 10 + p);
      packed[p] = PackedWeight.pack(f16(parts[p]), DType.F16, outs[p], in, null);
      stack.put(p, f16(parts[p]), DType.F16);
    }
    PackedWeight built = stack.build();
    PackedWeight concat = PackedWeight.concat(packed);
    assertEquals(136, built.out());
    assertEquals(concat.bytes(), built.bytes());
    for (int o = 0; o < built.out(); o++) {
      for (int i = 0; i < in; i++) {
        assertEquals(concat.get(o, i), built.get(o, i));
      }
    }
    assertFalse(PackedWeight.Stack.fits(new int[] {40, 32}));
    assertThrows(InvalidInputException.class, () -> new PackedWeight.Stack(new int[] {40, 32}, in,
        PackedWeight.Storage.F16));
  }
}
