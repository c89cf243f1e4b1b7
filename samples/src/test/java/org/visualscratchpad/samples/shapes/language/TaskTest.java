package org.visualscratchpad.samples.shapes.language;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.samples.shapes.Colour;
import org.visualscratchpad.samples.shapes.ObjectSize;
import org.visualscratchpad.samples.shapes.Quadrant;
import org.visualscratchpad.samples.shapes.RgbImage;
import org.visualscratchpad.samples.shapes.Scene;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.samples.shapes.SceneObject;
import org.visualscratchpad.samples.shapes.ShapeKind;

class TaskTest {
  private static Scene twoObjects() {
    SceneObject circle = new SceneObject(ShapeKind.CIRCLE, Colour.RED, ObjectSize.BIG, Quadrant.TOP_LEFT, 16, 16, 12);
    SceneObject square = new SceneObject(ShapeKind.SQUARE, Colour.BLUE, ObjectSize.SMALL, Quadrant.BOTTOM_RIGHT, 48, 48, 6);
    return new Scene(0, SceneDistribution.UNIFORM, List.of(circle, square), RgbImage.of(1, 1, new byte[3]));
  }

  @Test
  void every_task_answers_from_the_labels() {
    Scene scene = twoObjects();
    SceneObject circle = scene.objects().get(0);
    SceneObject square = scene.objects().get(1);
    assertEquals(new QuestionAnswer(Task.COLOUR_OF_SHAPE, "what colour is the circle ?", "red"), Task.COLOUR_OF_SHAPE.askAbout(scene, circle));
    assertEquals(new QuestionAnswer(Task.SHAPE_OF_COLOUR, "what shape is the blue object ?", "square"), Task.SHAPE_OF_COLOUR.askAbout(scene, square));
    assertEquals(new QuestionAnswer(Task.POSITION, "where is the blue square ?", "bottom right"), Task.POSITION.askAbout(scene, square));
    assertEquals(new QuestionAnswer(Task.COUNT, "how many objects are there ?", "two"), Task.COUNT.askAbout(scene, square));
    assertEquals(new QuestionAnswer(Task.DESCRIBE, "describe the image .", "a big red circle and a small blue square"),
        Task.DESCRIBE.askAbout(scene, circle));
  }

  @Test
  void asking_about_an_object_of_another_scene_is_rejected() {
    SceneObject stranger = new SceneObject(ShapeKind.DIAMOND, Colour.GREEN, ObjectSize.BIG, Quadrant.TOP_RIGHT, 48, 16, 12);
    assertThrows(InvalidInputException.class, () -> Task.POSITION.askAbout(twoObjects(), stranger));
  }

  @Test
  void every_question_and_answer_of_generated_scenes_is_in_the_vocabulary() {
    SceneGenerator generator = new SceneGenerator();
    ShapesVocabulary vocab = ShapesVocabulary.INSTANCE;
    for (long seed = 0; seed < 200; seed++) {
      Scene scene = generator.generate(seed, SceneDistribution.UNIFORM);
      for (Task task : Task.values()) {
        QuestionAnswer qa = task.ask(scene, new SplittableRandom(seed));
        int[] q = vocab.encode(ChatPrompt.expandImageTokens(qa.prompt(), 16));
        int[] a = vocab.encodeWords(qa.answer());
        for (int id : q) {
          assertTrue(id != ShapesVocabulary.UNK, "unknown word in " + qa);
        }
        for (int id : a) {
          assertTrue(id != ShapesVocabulary.UNK, "unknown word in " + qa);
        }
        assertEquals(qa.answer(), vocab.decode(a));
      }
    }
  }

  @Test
  void prompt_follows_the_llava_chat_format_and_the_image_expands_to_one_token_per_feature() {
    QuestionAnswer qa = new QuestionAnswer(Task.COUNT, "how many objects are there ?", "one");
    assertEquals("USER: <image>\nhow many objects are there ? ASSISTANT:", qa.prompt());
    ShapesVocabulary vocab = ShapesVocabulary.INSTANCE;
    int[] ids = vocab.encode(ChatPrompt.expandImageTokens(qa.prompt(), 3));
    assertArrayEquals(new int[] {ShapesVocabulary.BOS, vocab.id("USER"), vocab.id(":"), 4, 4, 4, vocab.id("how"), vocab.id("many"),
        vocab.id("objects"), vocab.id("are"), vocab.id("there"), vocab.id("?"), vocab.id("ASSISTANT"), vocab.id(":")}, ids);
    assertFalse(vocab.toString().isEmpty());
  }
}
