package org.visualscratchpad.sae.stats;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.visualscratchpad.InvalidInputException;

/**
 * {@link LatentStatistics} as one byte array, for partial results that travel between processes
 * (e.g. from Spark executors to the driver): every field exactly (the 128-bit sums, maxima, top-k
 * entries with their masks), so that {@code fromBytes(toBytes(s)).equals(s)}. Not a file format:
 * files are written by {@link LatentStatistics#save}.
 */
final class StatisticsCodec {
  private static final int MAGIC = 0x56535053; // "VSPS"
  private static final int VERSION = 1;

  private StatisticsCodec() {}

  static byte[] toBytes(LatentStatistics s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      out.writeInt(s.dSae);
      out.writeInt(s.options.topK());
      out.writeBoolean(s.options.includeCls());
      out.writeLong(s.images);
      out.writeLong(s.tokens);
      longs(out, s.imageCount);
      longs(out, s.patchCount);
      sums(out, s.sums);
      sums(out, s.squares);
      sums(out, s.imageSums);
      for (float v : s.max) {
        out.writeFloat(v);
      }
      for (int j = 0; j < s.dSae; j++) {
        List<TopImage> list = s.top[j];
        out.writeInt(list == null ? -1 : list.size());
        if (list == null) {
          continue;
        }
        for (TopImage t : list) {
          out.writeUTF(t.imageId());
          out.writeUTF(t.label());
          out.writeFloat(t.activation());
          PatchMask m = t.mask();
          out.writeInt(m.tokenCount());
          out.writeInt(m.activeCount());
          for (int i = 0; i < m.activeCount(); i++) {
            out.writeInt(m.tokenAt(i));
            out.writeFloat(m.valueAt(i));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static LatentStatistics fromBytes(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      InvalidInputException.check(in.readInt() == MAGIC, "not serialized latent statistics (bad magic number)");
      int version = in.readInt();
      InvalidInputException.check(version == VERSION, "serialized latent statistics version %s; this library reads %s",
          version, VERSION);
      int dSae = in.readInt();
      int topK = in.readInt();
      boolean cls = in.readBoolean();
      LatentStatistics s = new LatentStatistics(dSae, new StatisticsOptions(topK, cls));
      s.images = in.readLong();
      s.tokens = in.readLong();
      readLongs(in, s.imageCount);
      readLongs(in, s.patchCount);
      readSums(in, s.sums);
      readSums(in, s.squares);
      readSums(in, s.imageSums);
      for (int j = 0; j < dSae; j++) {
        s.max[j] = in.readFloat();
      }
      for (int j = 0; j < dSae; j++) {
        int n = in.readInt();
        if (n < 0) {
          continue;
        }
        InvalidInputException.check(n <= topK, "latent %s holds %s top images; top_k is %s", j, n, topK);
        List<TopImage> list = new ArrayList<>(n);
        for (int e = 0; e < n; e++) {
          String id = in.readUTF();
          String label = in.readUTF();
          float activation = in.readFloat();
          int tokenCount = in.readInt();
          int active = in.readInt();
          int[] tokens = new int[active];
          float[] values = new float[active];
          for (int i = 0; i < active; i++) {
            tokens[i] = in.readInt();
            values[i] = in.readFloat();
          }
          list.add(new TopImage(id, label, activation, PatchMask.adopt(tokenCount, tokens, values)));
        }
        s.top[j] = list;
      }
      InvalidInputException.check(in.read() < 0, "serialized latent statistics have trailing bytes");
      return s;
    } catch (IOException e) {
      throw new InvalidInputException("serialized latent statistics are truncated: " + e.getMessage(), e);
    }
  }

  private static void longs(DataOutputStream out, long[] a) throws IOException {
    for (long v : a) {
      out.writeLong(v);
    }
  }

  private static void readLongs(DataInputStream in, long[] into) throws IOException {
    for (int i = 0; i < into.length; i++) {
      into[i] = in.readLong();
    }
  }

  private static void sums(DataOutputStream out, ExactSums s) throws IOException {
    longs(out, s.hi);
    longs(out, s.lo);
  }

  private static void readSums(DataInputStream in, ExactSums into) throws IOException {
    readLongs(in, into.hi);
    readLongs(in, into.lo);
  }
}
