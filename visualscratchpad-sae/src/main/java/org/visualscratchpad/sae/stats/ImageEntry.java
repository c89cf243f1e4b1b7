package org.visualscratchpad.sae.stats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;

/**
 * One image of a dataset to compute statistics over: its file, unique id and label.
 *
 * <pre>{@code
 * jshell> ImageEntry.fromFolder(Path.of("imagenet-val"))     // sub-folders are labels
 * $1 ==> [ImageEntry[path=imagenet-val/n01440764/a.JPEG, imageId=n01440764/a.JPEG, label=n01440764], ...]
 * jshell> ImageEntry.fromCsv(Path.of("images.csv"))          // path,label per line; paths relative to the CSV
 * }</pre>
 *
 * @param path the image file
 * @param imageId the id recorded in the statistics (unique within the dataset)
 * @param label the label, {@code ""} if none
 */
public record ImageEntry(Path path, String imageId, String label) {
  public ImageEntry {
    InvalidInputException.check(path != null, "image path must not be null");
    InvalidInputException.check(imageId != null && !imageId.isEmpty(), "image id of %s must not be empty", path);
    label = label == null ? "" : label;
  }

  /**
   * Every regular file under {@code root}, sorted by relative path: the first folder level below
   * {@code root} is the label (files directly in {@code root} have none), the id is the path relative
   * to {@code root} with {@code /} separators. Non-image files are listed too: the statistics run
   * reports and skips them.
   *
   * @throws CheckpointFormatException if {@code root} is not a readable folder
   */
  public static List<ImageEntry> fromFolder(Path root) {
    if (!Files.isDirectory(root)) {
      throw new CheckpointFormatException(root, "is not a folder. Give a folder of images (sub-folders are labels) or a CSV.");
    }
    List<ImageEntry> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
        Path rel = root.relativize(p);
        String id = rel.toString().replace(java.io.File.separatorChar, '/');
        String label = rel.getNameCount() > 1 ? rel.getName(0).toString() : "";
        out.add(new ImageEntry(p, id, label));
      }
    } catch (IOException e) {
      throw new CheckpointFormatException(root, "cannot list the image folder: " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * The images listed in a CSV file: one {@code path,label} per line (label optional; a first line
   * {@code path,label} is a header; double quotes allowed), paths relative to the CSV's folder. The
   * id is the path as written.
   *
   * @throws CheckpointFormatException if the file cannot be read, a line has no path, or a path repeats
   */
  public static List<ImageEntry> fromCsv(Path csv) {
    List<String> lines;
    try {
      lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CheckpointFormatException(csv, "cannot read the image list: " + e.getMessage(), e);
    }
    Path base = csv.toAbsolutePath().getParent();
    List<ImageEntry> out = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).strip();
      if (line.isEmpty()) {
        continue;
      }
      List<String> cells = cells(line);
      if (n == 0 && cells.get(0).equalsIgnoreCase("path")) {
        continue;
      }
      String path = cells.get(0);
      if (path.isEmpty()) {
        throw new CheckpointFormatException(csv, "line " + (n + 1) + " has no image path. Write path,label per line.");
      }
      if (!seen.add(path)) {
        throw new CheckpointFormatException(csv, "line " + (n + 1) + " repeats image " + path + ". Image ids must be unique.");
      }
      out.add(new ImageEntry(base.resolve(path), path, cells.size() > 1 ? cells.get(1) : ""));
    }
    return out;
  }

  private static List<String> cells(String line) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        cells.add(cell.toString().strip());
        cell.setLength(0);
      } else {
        cell.append(c);
      }
    }
    cells.add(cell.toString().strip());
    return cells;
  }
}
