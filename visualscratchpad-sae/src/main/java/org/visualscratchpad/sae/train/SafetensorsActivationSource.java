package org.visualscratchpad.sae.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.safetensors.TensorInfo;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * Training activations stored as safetensors: a file, or a folder of {@code *.safetensors} files
 * (read in name order), whose floating-point tensors (in name order) each hold rows of width {@code
 * d_in}: shape {@code [rows x d_in]}, or {@code [... x d_in]} flattened to rows. Rows are mixed in a
 * seeded shuffle buffer of {@code 16 x batchSize} rows; the data cycles for as many epochs as asked.
 * One tensor is in memory at a time, besides the buffer.
 *
 * <pre>{@code
 * jshell> var src = SafetensorsActivationSource.open(Path.of("acts"))
 * src ==> SafetensorsActivationSource[acts: 3 tensors in 2 files, 120000 rows x 1024]
 * }</pre>
 *
 * <p>{@link #batches} iterators are not thread-safe; the source itself is immutable.
 */
public final class SafetensorsActivationSource implements ActivationSource {
  private record Part(Path file, String tensor, long rows) {}

  private final Path root;
  private final List<Part> parts;
  private final int dIn;
  private final long totalRows;
  private final int fileCount;

  private SafetensorsActivationSource(Path root, List<Part> parts, int dIn, long totalRows, int fileCount) {
    this.root = root;
    this.parts = List.copyOf(parts);
    this.dIn = dIn;
    this.totalRows = totalRows;
    this.fileCount = fileCount;
  }

  /**
   * Indexes {@code path} (a file or a folder) and checks that every tensor has the same last
   * dimension.
   *
   * @throws CheckpointFormatException if there is no tensor, a tensor is not floating-point, or
   *     widths disagree (the message names file and tensor)
   */
  public static SafetensorsActivationSource open(Path path) {
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(path)) {
      try (Stream<Path> s = Files.list(path)) {
        s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().forEach(files::add);
      } catch (IOException e) {
        throw new CheckpointFormatException(path, "cannot list the activation folder: " + e.getMessage(), e);
      }
    } else if (Files.isRegularFile(path)) {
      files.add(path);
    } else {
      throw new CheckpointFormatException(path, "activation path does not exist. Give a .safetensors file or a folder of them.");
    }
    if (files.isEmpty()) {
      throw new CheckpointFormatException(path, "folder holds no *.safetensors file. Store activations as [rows x d_in] tensors.");
    }
    List<Part> parts = new ArrayList<>();
    int width = -1;
    Path widthFrom = null;
    long rows = 0;
    for (Path f : files) {
      try (SafetensorsFile sf = SafetensorsFile.open(f)) {
        for (String name : sf.names().stream().sorted().toList()) {
          TensorInfo t = sf.info(name);
          if (!t.dtype().isFloatingPoint()) {
            throw new CheckpointFormatException(f, "tensor " + name + " is " + t.dtype()
                + "; activations must be F32, F16, BF16 or F64. Remove it or store it elsewhere.");
          }
          List<Long> shape = t.shape();
          if (shape.isEmpty()) {
            throw new CheckpointFormatException(f, "tensor " + name + " is a scalar; activations must be [rows x d_in]");
          }
          int w = Math.toIntExact(shape.get(shape.size() - 1));
          if (width < 0) {
            width = w;
            widthFrom = f;
          } else if (w != width) {
            throw new CheckpointFormatException(f, "tensor " + name + " has width " + w + " but " + widthFrom
                + " has width " + width + ". All activations must come from the same hook point.");
          }
          long r = t.numel() / Math.max(1, w);
          if (r > 0) {
            parts.add(new Part(f, name, r));
            rows += r;
          }
        }
      }
    }
    if (parts.isEmpty() || width <= 0) {
      throw new CheckpointFormatException(path, "holds no non-empty activation tensor. Store activations as [rows x d_in] tensors.");
    }
    return new SafetensorsActivationSource(path, parts, width, rows, files.size());
  }

  @Override
  public int dIn() {
    return dIn;
  }

  /** Rows in one epoch. */
  public long totalRows() {
    return totalRows;
  }

  @Override
  public Iterator<FloatMatrix> batches(int batchSize, long seed) {
    InvalidInputException.check(batchSize > 0, "batch size (%s) must be > 0", batchSize);
    return new Iterator<>() {
      private final SplittableRandom rnd = new SplittableRandom(seed);
      private final int capacity = Math.max(batchSize, (int) Math.min(16L * batchSize, Integer.MAX_VALUE / Math.max(1, dIn) / 2));
      private final float[] buffer = new float[Math.multiplyExact(capacity, dIn)];
      private int buffered;
      private int partIndex;
      private float[] current;
      private int currentRow;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public FloatMatrix next() {
        while (buffered < capacity) {
          if (current == null || currentRow * (long) dIn >= current.length) {
            Part p = parts.get(partIndex);
            partIndex = (partIndex + 1) % parts.size();
            try (SafetensorsFile sf = SafetensorsFile.open(p.file())) {
              current = sf.floats(p.tensor());
            }
            currentRow = 0;
          }
          int n = Math.min(capacity - buffered, current.length / dIn - currentRow);
          System.arraycopy(current, currentRow * dIn, buffer, buffered * dIn, n * dIn);
          buffered += n;
          currentRow += n;
        }
        // draw batchSize random rows out of the buffer (moving them to its end), then refill
        float[] out = new float[batchSize * dIn];
        float[] tmp = new float[dIn];
        for (int r = 0; r < batchSize; r++) {
          int pick = rnd.nextInt(buffered);
          int last = buffered - 1;
          System.arraycopy(buffer, pick * dIn, out, r * dIn, dIn);
          System.arraycopy(buffer, last * dIn, tmp, 0, dIn);
          System.arraycopy(tmp, 0, buffer, pick * dIn, dIn);
          buffered--;
        }
        return FloatMatrix.adopt(batchSize, dIn, out);
      }
    };
  }

  @Override
  public String describe() {
    return toString();
  }

  @Override
  public void close() {
    // files are opened per tensor and closed at once
  }

  @Override
  public String toString() {
    return "SafetensorsActivationSource[" + root + ": " + parts.size() + " tensors in " + fileCount + " files, "
        + totalRows + " rows x " + dIn + "]";
  }
}
