package org.visualscratchpad.spark;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.sae.stats.ImageEntry;

/**
 * Where a job's images come from: an image folder (sub-folders are labels) or a CSV list, as {@code
 * vsp stats} reads them; WebDataset tar shards; or Parquet files as Hugging Face {@code datasets}
 * exports them (an image column that is a struct of {@code bytes} and {@code path}, or plain bytes, and
 * a label column).
 */
public sealed interface DatasetSource {

  /** An image folder; ids and labels as {@link ImageEntry#fromFolder}. */
  record Folder(Path root) implements DatasetSource {}

  /** A CSV of {@code path,label}; ids and labels as {@link ImageEntry#fromCsv}. */
  record Csv(Path file) implements DatasetSource {}

  /**
   * WebDataset shards: each pattern is a tar file, a folder (its {@code *.tar} files), a glob such as
   * {@code shards/*.tar}, or WebDataset's brace range {@code shards/train-{000000..000146}.tar}.
   */
  record Tar(List<String> patterns) implements DatasetSource {
    public Tar {
      patterns = List.copyOf(patterns);
    }
  }

  /**
   * Parquet files (paths or folders, as Spark reads them).
   *
   * @param imageColumn a struct with {@code bytes} (and optionally {@code path}) or a binary column
   * @param labelColumn the label ({@code ClassLabel} integers are named from the Hugging Face metadata
   *     when the files carry it); absent from the files: no labels
   * @param idColumn the image id; null: the struct's {@code path}, else the SHA-256 of the bytes
   */
  record Parquet(List<String> paths, String imageColumn, String labelColumn, String idColumn) implements DatasetSource {
    public Parquet {
      paths = List.copyOf(paths);
      InvalidInputException.check(!paths.isEmpty(), "give at least one Parquet file or folder");
    }
  }

  /**
   * The tar files the patterns name, sorted and without repeats.
   *
   * @throws CheckpointFormatException if a pattern names nothing
   */
  static List<Path> expandShards(List<String> patterns) {
    java.util.TreeSet<Path> out = new java.util.TreeSet<>();
    for (String pattern : patterns) {
      List<Path> found = new ArrayList<>();
      for (String p : expandBraces(pattern)) {
        Path path = Path.of(p);
        if (Files.isDirectory(path)) {
          try (Stream<Path> s = Files.list(path)) {
            s.filter(f -> f.getFileName().toString().endsWith(".tar") && Files.isRegularFile(f)).forEach(found::add);
          } catch (IOException e) {
            throw new CheckpointFormatException(path, "cannot list the shard folder: " + e.getMessage(), e);
          }
        } else if (p.contains("*") || p.contains("?") || p.contains("[")) {
          Path parent = path.getParent() == null ? Path.of(".") : path.getParent();
          PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + path.getFileName());
          try (Stream<Path> s = Files.list(parent)) {
            s.filter(f -> m.matches(f.getFileName()) && Files.isRegularFile(f)).forEach(found::add);
          } catch (IOException e) {
            throw new CheckpointFormatException(parent, "cannot list the shards of " + pattern + ": " + e.getMessage(), e);
          }
        } else if (Files.isRegularFile(path)) {
          found.add(path);
        } else {
          throw new CheckpointFormatException(path, "is not a tar shard. Give tar files, a folder of them, a glob "
              + "(shards/*.tar) or a brace range (train-{000000..000146}.tar).");
        }
      }
      if (found.isEmpty()) {
        throw new CheckpointFormatException(Path.of(pattern), "names no tar shard");
      }
      out.addAll(found);
    }
    return List.copyOf(out);
  }

  /** WebDataset's {@code {a..b}} numeric ranges (zero padding kept), one level per brace group. */
  static List<String> expandBraces(String pattern) {
    Matcher m = Pattern.compile("\\{(\\d+)\\.\\.(\\d+)}").matcher(pattern);
    if (!m.find()) {
      return List.of(pattern);
    }
    String from = m.group(1);
    String to = m.group(2);
    long a = Long.parseLong(from);
    long b = Long.parseLong(to);
    InvalidInputException.check(a <= b && b - a < 10_000_000, "brace range {%s..%s} of %s must ascend", from, to, pattern);
    int width = from.length();
    List<String> out = new ArrayList<>();
    for (long i = a; i <= b; i++) {
      String n = String.format("%0" + width + "d", i);
      out.addAll(expandBraces(pattern.substring(0, m.start()) + n + pattern.substring(m.end())));
    }
    return out;
  }
}
