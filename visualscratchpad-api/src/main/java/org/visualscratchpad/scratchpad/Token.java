package org.visualscratchpad.scratchpad;

/**
 * One token of a prompt or an answer.
 *
 * @param id the vocabulary id
 * @param text the decoded text of this token alone
 * @param position its position in the model's input sequence (image tokens expanded)
 */
public record Token(int id, String text, int position) {
  @Override
  public String toString() {
    return text;
  }
}
