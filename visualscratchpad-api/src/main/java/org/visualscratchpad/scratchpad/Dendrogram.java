package org.visualscratchpad.scratchpad;

import java.util.Arrays;
import java.util.Locale;
import org.visualscratchpad.InvalidInputException;

/**
 * The merge tree of a hierarchical clustering of {@code n} leaves, in SciPy's convention: merge
 * {@code m} (0-based, {@code n - 1} of them) joins nodes {@link #left(int)} and {@link #right(int)}
 * at {@link #height(int)} and creates node {@code n + m}; leaves are nodes {@code 0..n-1}.
 * {@link #leafOrder()} is the left-to-right order of the leaves in the drawn tree. A hierarchical
 * clustering of a heatmap's columns carries it ({@link LatentClusters#dendrogram()}), so that the
 * heatmap can be drawn with its tree without clustering again.
 *
 * <pre>{@code
 * jshell> answer.cluster().dendrogram().get().leafOrder()
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class Dendrogram {
  private final int leaves;
  private final int[] left;
  private final int[] right;
  private final double[] height;
  private final int[] leafOrder;

  /**
   * Validates and copies the merges.
   *
   * @param merges {@code [n - 1][2]} node ids
   * @param heights {@code n - 1} finite merge heights
   * @throws InvalidInputException if a merge references a node that does not exist yet
   */
  public Dendrogram(int leaves, int[][] merges, double[] heights) {
    InvalidInputException.check(leaves >= 1, "leaves (%s) must be >= 1", leaves);
    InvalidInputException.check(merges.length == leaves - 1 && heights.length == leaves - 1,
        "a dendrogram of %s leaves needs %s merges and heights; got %s and %s", leaves, leaves - 1, merges.length, heights.length);
    this.leaves = leaves;
    left = new int[leaves - 1];
    right = new int[leaves - 1];
    height = heights.clone();
    for (int m = 0; m < leaves - 1; m++) {
      left[m] = merges[m][0];
      right[m] = merges[m][1];
      InvalidInputException.check(left[m] >= 0 && left[m] < leaves + m && right[m] >= 0 && right[m] < leaves + m,
          "merge %s joins nodes %s and %s; only nodes below %s exist at that point", m, left[m], right[m], leaves + m);
      InvalidInputException.check(Double.isFinite(height[m]), "merge height %s (%s) must be finite", m, height[m]);
    }
    leafOrder = computeLeafOrder();
  }

  private int[] computeLeafOrder() {
    int[] order = new int[leaves];
    if (leaves == 1) {
      return order;
    }
    int n = 0;
    int[] stack = new int[2 * leaves];
    int top = 0;
    stack[top++] = 2 * leaves - 2;
    while (top > 0) {
      int node = stack[--top];
      if (node < leaves) {
        order[n++] = node;
      } else {
        int m = node - leaves;
        stack[top++] = right[m];
        stack[top++] = left[m];
      }
    }
    return order;
  }

  public int leaves() {
    return leaves;
  }

  public int merges() {
    return leaves - 1;
  }

  public int left(int merge) {
    return left[merge];
  }

  public int right(int merge) {
    return right[merge];
  }

  public double height(int merge) {
    return height[merge];
  }

  /** The leaves in drawing order, length {@code leaves} (a copy). */
  public int[] leafOrder() {
    return leafOrder.clone();
  }

  /** The largest merge height (0 for a single leaf). */
  public double maxHeight() {
    double max = 0;
    for (double h : height) {
      max = Math.max(max, h);
    }
    return max;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Dendrogram d && d.leaves == leaves && Arrays.equals(d.left, left)
        && Arrays.equals(d.right, right) && Arrays.equals(d.height, height);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(height) * 31 + leaves;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "Dendrogram[%d leaves, max height %.4g, leaf order %s]", leaves, maxHeight(),
        Arrays.toString(Arrays.copyOf(leafOrder, Math.min(leafOrder.length, 10))).replace("]", leaves > 10 ? ", ...]" : "]"));
  }
}
