package org.visualscratchpad.scratchpad;

import java.util.ArrayList;
import java.util.List;

/**
 * Two answers to the same image and prompt side by side, token by token (aligned by position),
 * with the interventions that separate them.
 *
 * <pre>{@code
 * jshell> answer.diff(answer.ablate(412).regenerate())
 * $1 ==> AnswerDiff[first change at token 0; "red" -> "blue"; plan: [ablate [412] on all]; error term KEEP]
 *   0  red        | blue       *
 * }</pre>
 *
 * @param before the baseline
 * @param after the other answer
 * @param rows one row per position up to the longer answer
 */
public record AnswerDiff(Answer before, Answer after, List<Row> rows) {

  /**
   * One aligned position.
   *
   * @param index the generated-token index
   * @param before the baseline's token text ({@code ""} past its end)
   * @param after the other answer's token text ({@code ""} past its end)
   * @param changed whether the token ids differ
   */
  public record Row(int index, String before, String after, boolean changed) {}

  public AnswerDiff {
    rows = List.copyOf(rows);
  }

  static AnswerDiff of(Answer before, Answer after) {
    List<Row> rows = new ArrayList<>();
    int n = Math.max(before.generated().size(), after.generated().size());
    for (int i = 0; i < n; i++) {
      Token b = i < before.generated().size() ? before.generated().get(i) : null;
      Token a = i < after.generated().size() ? after.generated().get(i) : null;
      boolean changed = b == null || a == null || b.id() != a.id();
      rows.add(new Row(i, b == null ? "" : b.text(), a == null ? "" : a.text(), changed));
    }
    return new AnswerDiff(before, after, rows);
  }

  /** True if any token differs. */
  public boolean changed() {
    return firstChange() >= 0;
  }

  /** The index of the first differing token, or -1. */
  public int firstChange() {
    for (Row r : rows) {
      if (r.changed()) {
        return r.index();
      }
    }
    return -1;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("AnswerDiff[");
    sb.append(changed() ? "first change at token " + firstChange() : "no change")
        .append("; \"").append(before.text()).append("\" -> \"").append(after.text()).append("\"; plan: ")
        .append(Answer.describe(after.plan())).append(']');
    for (Row r : rows) {
      sb.append(String.format("%n  %2d  %-12s | %-12s %s", r.index(), r.before(), r.after(), r.changed() ? "*" : ""));
    }
    return sb.toString();
  }
}
