package org.visualscratchpad.analysis.cluster;

import java.util.Locale;
import org.visualscratchpad.InvalidInputException;

/**
 * Where a dendrogram is cut into flat clusters.
 *
 * <pre>{@code
 * jshell> new Cut.IntoClusters(5)
 * jshell> new Cut.AtHeight(0.7)
 * }</pre>
 */
public sealed interface Cut permits Cut.IntoClusters, Cut.AtHeight {

  /**
   * Into exactly {@code clusters} clusters.
   *
   * @param clusters {@code >= 1}; must not exceed the number of columns (checked when clustering)
   */
  record IntoClusters(int clusters) implements Cut {
    public IntoClusters {
      InvalidInputException.check(clusters >= 1, "clusters (%s) must be >= 1", clusters);
    }

    @Override
    public String toString() {
      return "into " + clusters + " clusters";
    }
  }

  /**
   * At merge height {@code height}: merges at or below it are kept.
   *
   * @param height finite, {@code >= 0}
   */
  record AtHeight(double height) implements Cut {
    public AtHeight {
      InvalidInputException.check(Double.isFinite(height) && height >= 0, "cut height (%s) must be finite and >= 0", height);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "at height %.4g", height);
    }
  }
}
