package org.visualscratchpad.torch.input.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.InvalidInputException;

/**
 * Pillow-exactness itself is proven on the hf-reference fixtures (ClipImageProcessorTest,
 * LlavaNextImageProcessorTest: up- and downscaling, bit for bit). These tests check the properties
 * that hold for any size.
 */
class PillowResizeTest {

  private static RgbImage random(Random rnd, int h, int w) {
    byte[] d = new byte[h * w * 3];
    rnd.nextBytes(d);
    return RgbImage.of(h, w, d);
  }

  /** The same convolution in float64 (no fixed point), with the 8-bit intermediate Pillow keeps between passes. */
  private static double[] reference(RgbImage in, int outH, int outW) {
    double[][] kx = weights(in.width(), outW);
    double[][] ky = weights(in.height(), outH);
    double[] mid = new double[in.height() * outW * 3];
    for (int y = 0; y < in.height(); y++) {
      for (int x = 0; x < outW; x++) {
        for (int c = 0; c < 3; c++) {
          double s = 0;
          for (int t = 0; t < in.width(); t++) {
            s += kx[x][t] * in.get(y, t, c);
          }
          mid[(y * outW + x) * 3 + c] = in.width() == outW ? in.get(y, x, c) : Math.min(255, Math.max(0, Math.round(s)));
        }
      }
    }
    double[] out = new double[outH * outW * 3];
    for (int y = 0; y < outH; y++) {
      for (int x = 0; x < outW; x++) {
        for (int c = 0; c < 3; c++) {
          double s = 0;
          for (int t = 0; t < in.height(); t++) {
            s += ky[y][t] * mid[(t * outW + x) * 3 + c];
          }
          out[(y * outW + x) * 3 + c] = in.height() == outH ? mid[(y * outW + x) * 3 + c] : s;
        }
      }
    }
    return out;
  }

  private static double[][] weights(int in, int out) {
    double scale = (double) in / out;
    double fs = Math.max(scale, 1.0);
    double[][] k = new double[out][in];
    for (int o = 0; o < out; o++) {
      double center = (o + 0.5) * scale;
      double sum = 0;
      for (int t = 0; t < in; t++) {
        double x = Math.abs((t + 0.5 - center) / fs);
        double w = x < 1 ? (1.5 * x - 2.5) * x * x + 1 : x < 2 ? ((-0.5 * x + 2.5) * x - 4) * x + 2 : 0;
        k[o][t] = w;
        sum += w;
      }
      for (int t = 0; t < in; t++) {
        k[o][t] /= sum;
      }
    }
    return k;
  }

  @RepeatedTest(12)
  void bicubic_stays_within_rounding_of_the_exact_convolution(RepetitionInfo info) {
    long seed = 77 + info.getCurrentRepetition();
    Random rnd = new Random(seed);
    RgbImage in = random(rnd, 3 + rnd.nextInt(60), 3 + rnd.nextInt(60));
    int outH = 1 + rnd.nextInt(80);
    int outW = 1 + rnd.nextInt(80);
    RgbImage out = PillowResize.resize(in, outH, outW, ResampleFilter.BICUBIC);
    double[] ref = reference(in, outH, outW);
    for (int p = 0; p < ref.length; p++) {
      double expected = Math.min(255, Math.max(0, ref[p]));
      int actual = out.get(p / 3 / outW, p / 3 % outW, p % 3);
      // 22-bit fixed-point weights against float64 ones: the rounding may differ by one grey level
      // per pass.
      if (Math.abs(actual - expected) > 2) {
        throw new AssertionError("seed " + seed + " " + in + " -> " + outH + "x" + outW + " value " + p + ": " + actual
            + " vs exact " + expected);
      }
    }
  }

  @RepeatedTest(8)
  void a_constant_image_stays_constant_for_every_filter(RepetitionInfo info) {
    long seed = 500 + info.getCurrentRepetition();
    Random rnd = new Random(seed);
    int v = rnd.nextInt(256);
    RgbImage in = RgbImage.filled(1 + rnd.nextInt(90), 1 + rnd.nextInt(90), v, 255 - v, v / 2);
    for (ResampleFilter f : ResampleFilter.values()) {
      RgbImage out = PillowResize.resize(in, 1 + rnd.nextInt(90), 1 + rnd.nextInt(90), f);
      assertEquals(RgbImage.filled(out.height(), out.width(), v, 255 - v, v / 2), out, "seed " + seed + " " + f);
    }
  }

  @Test
  void resizing_to_the_same_size_returns_the_image_and_bad_targets_are_rejected() {
    RgbImage in = random(new Random(3), 7, 9);
    assertSame(in, PillowResize.resize(in, 7, 9, ResampleFilter.BICUBIC));
    assertThrows(InvalidInputException.class, () -> PillowResize.resize(in, 0, 9, ResampleFilter.BICUBIC));
    assertThrows(InvalidInputException.class, () -> ResampleFilter.fromPil(0));
    assertEquals(ResampleFilter.BICUBIC, ResampleFilter.fromPil(3));
  }

  @Test
  void a_width_only_resize_touches_no_row_mixing() {
    RgbImage in = random(new Random(4), 5, 40);
    RgbImage out = PillowResize.resize(in, 5, 13, ResampleFilter.BICUBIC);
    for (int y = 0; y < 5; y++) {
      RgbImage row = PillowResize.resize(in.region(y, 0, 1, 40), 1, 13, ResampleFilter.BICUBIC);
      for (int x = 0; x < 13; x++) {
        for (int c = 0; c < 3; c++) {
          assertEquals(row.get(0, x, c), out.get(y, x, c));
        }
      }
    }
  }
}
