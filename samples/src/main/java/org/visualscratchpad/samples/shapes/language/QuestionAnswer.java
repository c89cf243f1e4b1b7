package org.visualscratchpad.samples.shapes.language;

import java.util.Objects;
import org.visualscratchpad.InvalidInputException;

/**
 * A question about a scene and its exact answer, both as space-separated words of the
 * {@link ShapesVocabulary}.
 *
 * @param task the question kind
 * @param question the question text, e.g. {@code "what colour is the circle ?"}
 * @param answer the expected answer, e.g. {@code "red"}
 *     <pre>{@code
 * jshell> new QuestionAnswer(Task.COUNT, "how many objects are there ?", "two").prompt()
 * $1 ==> "USER: <image>\nhow many objects are there ? ASSISTANT:"
 * }</pre>
 */
public record QuestionAnswer(Task task, String question, String answer) {
  public QuestionAnswer {
    Objects.requireNonNull(task, "task");
    InvalidInputException.check(question != null && !question.isBlank(), "question must not be blank");
    InvalidInputException.check(answer != null && !answer.isBlank(), "answer must not be blank");
  }

  /** The single-turn chat prompt, as the chat template renders it (one {@code <image>} placeholder). */
  public String prompt() {
    return ChatPrompt.render(question);
  }

  @Override
  public String toString() {
    return "QuestionAnswer[" + task + ": " + question + " -> " + answer + "]";
  }
}
