package org.visualscratchpad.spark;

import java.io.Serializable;

/**
 * One image of a dataset as it travels to an executor: its unique id and label, where a skipped
 * image is reported ({@code source}), and its bytes or the file that holds them. A record whose
 * {@code problem} is set is reported as skipped without decoding (e.g. a WebDataset sample without an
 * image member, or a tar member over the size limit).
 *
 * @param id the image id recorded in the statistics (unique in the dataset)
 * @param label its label, {@code ""} if none
 * @param source what {@code skipped.txt} names: the file path, {@code shard.tar:member} or {@code file.parquet:id}
 * @param file the image file to read on the executor, or null when {@code bytes} are given
 * @param bytes the encoded image, or null when {@code file} is given
 * @param problem why this record cannot be used, or null
 */
record ImageRecord(String id, String label, String source, String file, byte[] bytes, String problem)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  static ImageRecord ofFile(String id, String label, String source, String file) {
    return new ImageRecord(id, label, source, file, null, null);
  }

  static ImageRecord ofBytes(String id, String label, String source, byte[] bytes) {
    return new ImageRecord(id, label, source, null, bytes, null);
  }

  static ImageRecord problem(String id, String source, String problem) {
    return new ImageRecord(id, "", source, null, null, problem);
  }
}
