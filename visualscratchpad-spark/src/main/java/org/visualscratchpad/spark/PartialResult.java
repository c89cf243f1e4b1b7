package org.visualscratchpad.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.visualscratchpad.sae.stats.LatentStatistics;

/**
 * What one partition (or a merge of several) sends back: the statistics as exact bytes
 * ({@link LatentStatistics#toBytes}), the skipped images, and where the time went.
 */
final class PartialResult implements Serializable {
  private static final long serialVersionUID = 1L;

  final byte[] statistics;
  final List<String[]> skipped; // {source, reason}
  final long images;
  /** Nanoseconds: reading files, decoding + the tower + SAE encode, adding to the accumulator, (de)serializing + merging. */
  final long readNanos;
  final long encodeNanos;
  final long addNanos;
  final long mergeNanos;

  PartialResult(byte[] statistics, List<String[]> skipped, long images, long readNanos, long encodeNanos,
      long addNanos, long mergeNanos) {
    this.statistics = statistics;
    this.skipped = skipped;
    this.images = images;
    this.readNanos = readNanos;
    this.encodeNanos = encodeNanos;
    this.addNanos = addNanos;
    this.mergeNanos = mergeNanos;
  }

  /** The union of two partial results; the statistics merge exactly, so any merge tree gives the same bytes. */
  static PartialResult merge(PartialResult a, PartialResult b) {
    long start = System.nanoTime();
    LatentStatistics merged = LatentStatistics.merge(LatentStatistics.fromBytes(a.statistics),
        LatentStatistics.fromBytes(b.statistics));
    byte[] bytes = merged.toBytes();
    List<String[]> skipped = new ArrayList<>(a.skipped.size() + b.skipped.size());
    skipped.addAll(a.skipped);
    skipped.addAll(b.skipped);
    long took = System.nanoTime() - start;
    return new PartialResult(bytes, skipped, a.images + b.images, a.readNanos + b.readNanos,
        a.encodeNanos + b.encodeNanos, a.addNanos + b.addNanos, a.mergeNanos + b.mergeNanos + took);
  }
}
