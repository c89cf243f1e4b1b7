package org.visualscratchpad.samples.shapes.language;

import java.util.List;
import java.util.SplittableRandom;
import org.visualscratchpad.samples.shapes.Scene;
import org.visualscratchpad.samples.shapes.SceneObject;

/**
 * The five question kinds of ShapesWorld. Each picks an object of the scene at random (where it needs
 * one) and asks about it; the answer is exact, because objects in a scene have distinct shapes,
 * colours and quadrants.
 *
 * <pre>{@code
 * jshell> Task.COLOUR_OF_SHAPE.ask(scene, new SplittableRandom(1))
 * $1 ==> QuestionAnswer[COLOUR_OF_SHAPE: what colour is the circle ? -> red]
 * }</pre>
 */
public enum Task {
  /** "what colour is the circle ?" -> "red". */
  COLOUR_OF_SHAPE {
    @Override
    QuestionAnswer about(Scene scene, SceneObject object) {
      return new QuestionAnswer(this, "what colour is the " + object.shape().word() + " ?", object.colour().word());
    }
  },
  /** "what shape is the red object ?" -> "circle". */
  SHAPE_OF_COLOUR {
    @Override
    QuestionAnswer about(Scene scene, SceneObject object) {
      return new QuestionAnswer(this, "what shape is the " + object.colour().word() + " object ?", object.shape().word());
    }
  },
  /** "where is the red circle ?" -> "top left". */
  POSITION {
    @Override
    QuestionAnswer about(Scene scene, SceneObject object) {
      return new QuestionAnswer(this,
          "where is the " + object.colour().word() + " " + object.shape().word() + " ?", object.quadrant().words());
    }
  },
  /** "how many objects are there ?" -> "two". */
  COUNT {
    @Override
    QuestionAnswer about(Scene scene, SceneObject object) {
      return new QuestionAnswer(this, "how many objects are there ?", NUMBERS.get(scene.objects().size() - 1));
    }
  },
  /** "describe the image ." -> "a big red circle and a small blue square". */
  DESCRIBE {
    @Override
    QuestionAnswer about(Scene scene, SceneObject object) {
      return new QuestionAnswer(this, "describe the image .", scene.description());
    }
  };

  private static final List<String> NUMBERS = List.of("one", "two", "three");

  abstract QuestionAnswer about(Scene scene, SceneObject object);

  /** A question of this kind about {@code scene}, the object (if any) chosen with {@code rng}. */
  public QuestionAnswer ask(Scene scene, SplittableRandom rng) {
    List<SceneObject> objects = scene.objects();
    return about(scene, objects.get(rng.nextInt(objects.size())));
  }

  /** A question of this kind about the given object of {@code scene}. */
  public QuestionAnswer askAbout(Scene scene, SceneObject object) {
    if (!scene.objects().contains(object)) {
      throw new org.visualscratchpad.InvalidInputException(
          "object (" + object + ") must belong to the scene " + scene + ". Pick one of scene.objects().");
    }
    return about(scene, object);
  }
}
