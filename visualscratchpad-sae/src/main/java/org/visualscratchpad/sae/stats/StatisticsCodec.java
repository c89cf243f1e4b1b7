package org.visualscratchpad.sae.stats;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.visualscratchpad.InvalidInputException;

/**
 * {@link LatentStatistics} as one byte array, for partial results that travel between processes
 * (e.g. from Spark executors to the driver): every field exactly (the 128-bit sums, maxima, top-k
 * entries with their masks), so that {@code fromBytes(toBytes(s)).equals(s)}. Image ids and labels
 * are written once in a string table (an image is in the top-k of many latents), and the array is
 * sized up front and filled with bulk puts: a partial of d_sae 32,768 with full top-20 lists is
 * hundreds of MB. Not a file format: files are written by {@link LatentStatistics#save}.
 */
final class StatisticsCodec {
  private static final int MAGIC = 0x56535053; // "VSPS"
  private static final int VERSION = 2;

  private StatisticsCodec() {}

  static byte[] toBytes(LatentStatistics s) {
    int dSae = s.dSae;
    Map<String, Integer> index = new LinkedHashMap<>();
    long size = 4L * 4 + 1 + 8 + 8 + (long) dSae * (8 * 2 + 16 * 3 + 4) + 4L * dSae;
    for (int j = 0; j < dSae; j++) {
      List<TopImage> list = s.top[j];
      if (list == null) {
        continue;
      }
      for (TopImage t : list) {
        index.putIfAbsent(t.imageId(), index.size());
        index.putIfAbsent(t.label(), index.size());
        size += 4 + 4 + 4 + 4 + 4 + 8L * t.mask().activeCount();
      }
    }
    List<byte[]> strings = new ArrayList<>(index.size());
    size += 4;
    for (String str : index.keySet()) {
      byte[] b = str.getBytes(StandardCharsets.UTF_8);
      strings.add(b);
      size += 4 + b.length;
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new InvalidInputException("latent statistics of d_sae " + dSae + " with top-" + s.options.topK() + " take "
          + size + " bytes, more than one array holds; use a smaller top-k");
    }
    ByteBuffer out = ByteBuffer.allocate((int) size);
    out.putInt(MAGIC).putInt(VERSION).putInt(dSae).putInt(s.options.topK()).put((byte) (s.options.includeCls() ? 1 : 0));
    out.putLong(s.images).putLong(s.tokens);
    out.asLongBuffer().put(s.imageCount);
    out.position(out.position() + 8 * dSae);
    out.asLongBuffer().put(s.patchCount);
    out.position(out.position() + 8 * dSae);
    for (ExactSums e : new ExactSums[] {s.sums, s.squares, s.imageSums}) {
      out.asLongBuffer().put(e.hi);
      out.position(out.position() + 8 * dSae);
      out.asLongBuffer().put(e.lo);
      out.position(out.position() + 8 * dSae);
    }
    out.asFloatBuffer().put(s.max);
    out.position(out.position() + 4 * dSae);
    out.putInt(strings.size());
    for (byte[] b : strings) {
      out.putInt(b.length).put(b);
    }
    for (int j = 0; j < dSae; j++) {
      List<TopImage> list = s.top[j];
      out.putInt(list == null ? -1 : list.size());
      if (list == null) {
        continue;
      }
      for (TopImage t : list) {
        PatchMask m = t.mask();
        out.putInt(index.get(t.imageId())).putInt(index.get(t.label())).putFloat(t.activation())
            .putInt(m.tokenCount()).putInt(m.activeCount());
        for (int i = 0; i < m.activeCount(); i++) {
          out.putInt(m.tokenAt(i)).putFloat(m.valueAt(i));
        }
      }
    }
    if (out.hasRemaining()) {
      throw new IllegalStateException("codec size mismatch: " + out.remaining() + " bytes left");
    }
    return out.array();
  }

  static LatentStatistics fromBytes(byte[] data) {
    try {
      ByteBuffer in = ByteBuffer.wrap(data);
      InvalidInputException.check(in.getInt() == MAGIC, "not serialized latent statistics (bad magic number)");
      int version = in.getInt();
      InvalidInputException.check(version == VERSION, "serialized latent statistics version %s; this library reads %s",
          version, VERSION);
      int dSae = in.getInt();
      InvalidInputException.check(dSae > 0 && dSae <= data.length / 68, "d_sae (%s) does not fit %s bytes", dSae,
          data.length);
      int topK = in.getInt();
      boolean cls = in.get() != 0;
      LatentStatistics s = new LatentStatistics(dSae, new StatisticsOptions(topK, cls));
      s.images = in.getLong();
      s.tokens = in.getLong();
      in.asLongBuffer().get(s.imageCount);
      in.position(in.position() + 8 * dSae);
      in.asLongBuffer().get(s.patchCount);
      in.position(in.position() + 8 * dSae);
      for (ExactSums e : new ExactSums[] {s.sums, s.squares, s.imageSums}) {
        in.asLongBuffer().get(e.hi);
        in.position(in.position() + 8 * dSae);
        in.asLongBuffer().get(e.lo);
        in.position(in.position() + 8 * dSae);
      }
      in.asFloatBuffer().get(s.max);
      in.position(in.position() + 4 * dSae);
      int count = in.getInt();
      InvalidInputException.check(count >= 0 && count <= in.remaining() / 4, "string table size (%s) is out of range",
          count);
      String[] strings = new String[count];
      for (int i = 0; i < count; i++) {
        int n = in.getInt();
        InvalidInputException.check(n >= 0 && n <= in.remaining(), "string %s length (%s) is out of range", i, n);
        strings[i] = new String(data, in.position(), n, StandardCharsets.UTF_8);
        in.position(in.position() + n);
      }
      for (int j = 0; j < dSae; j++) {
        int n = in.getInt();
        if (n < 0) {
          continue;
        }
        InvalidInputException.check(n <= topK, "latent %s holds %s top images; top_k is %s", j, n, topK);
        List<TopImage> list = new ArrayList<>(n);
        for (int e = 0; e < n; e++) {
          int id = in.getInt();
          int label = in.getInt();
          InvalidInputException.check(id >= 0 && id < count && label >= 0 && label < count,
              "top-k entry of latent %s refers to strings %s/%s of %s", j, id, label, count);
          float activation = in.getFloat();
          int tokenCount = in.getInt();
          int active = in.getInt();
          InvalidInputException.check(active >= 0 && active <= in.remaining() / 8, "mask size (%s) is out of range",
              active);
          int[] tokens = new int[active];
          float[] values = new float[active];
          for (int i = 0; i < active; i++) {
            tokens[i] = in.getInt();
            values[i] = in.getFloat();
          }
          list.add(new TopImage(strings[id], strings[label], activation, PatchMask.adopt(tokenCount, tokens, values)));
        }
        s.top[j] = list;
      }
      InvalidInputException.check(!in.hasRemaining(), "serialized latent statistics have %s trailing bytes",
          in.remaining());
      return s;
    } catch (BufferUnderflowException e) {
      throw new InvalidInputException("serialized latent statistics are truncated", e);
    }
  }
}
