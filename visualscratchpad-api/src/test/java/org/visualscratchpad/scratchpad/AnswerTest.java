package org.visualscratchpad.scratchpad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.attention.AttentionConvention;
import org.visualscratchpad.attention.TextImageAttention;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.sae.DatasetStatistics;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.SparseAutoencoder;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.vision.ImageTokenLocation;
import org.visualscratchpad.vision.PixelBox;

/** The fluent chain's bookkeeping, over a toy scratchpad whose answer spells out the ablated latents. */
class AnswerTest {

  /** Answers "base" with no edit, else one token per ablated latent id: enough to test plumbing. */
  static final class ToyScratchpad implements Scratchpad {
    final List<InterventionPlan> seen = new ArrayList<>();
    boolean closed;

    @Override
    public SparseAutoencoder sae() {
      throw new UnsupportedOperationException("not needed here");
    }

    @Override
    public Optional<DatasetStatistics> statistics() {
      return Optional.empty();
    }

    @Override
    public Answer ask(BufferedImage image, String prompt, AskOptions options) {
      if (closed) {
        throw new ScratchpadException("closed");
      }
      seen.add(options.plan());
      List<Token> out = new ArrayList<>();
      for (LatentIntervention e : options.plan().edits()) {
        for (int id : e.latentIds()) {
          out.add(new Token(id, " L" + id, 10 + out.size()));
        }
      }
      if (out.isEmpty()) {
        out.add(new Token(1, " base", 10));
      }
      SparseActivations acts = SparseActivations.builder(8).addRow(new int[] {1}, new float[] {1f}, 1)
          .addRow(new int[] {2}, new float[] {2f}, 1).build();
      FloatMatrix attn = FloatMatrix.zeros(out.size(), 1);
      TextImageAttention ta = new TextImageAttention(AttentionConvention.PRODUCING_STEP,
          out.stream().map(Token::text).toList(), out.stream().map(Token::position).toList(), attn);
      return new Answer(this, image, prompt, options, List.of(), out, List.of(acts), ta,
          List.of(new ImageTokenLocation(0, 0, 0, 0, 0, new PixelBox(0, 0, 4, 4))));
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void ablate_then_regenerate_runs_a_fresh_call_under_the_planned_edits() {
    ToyScratchpad pad = new ToyScratchpad();
    Answer base = pad.ask(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "q");
    assertEquals("base", base.text());
    Experiment exp = base.ablate(3, 5).steer(7, 2f);
    assertEquals("Experiment[ablate [3, 5] on all; set [7] = 2 on patches; error term KEEP]", exp.toString());
    Answer after = exp.regenerate();
    assertEquals("L3 L5 L7", after.text());
    assertEquals(exp.plan(), after.plan());
    assertEquals(List.of(InterventionPlan.none(), exp.plan()), pad.seen);
    assertTrue(base.plan().isIdentity(), "the baseline is unchanged");
  }

  @Test
  void diff_aligns_tokens_and_marks_the_changed_ones() {
    ToyScratchpad pad = new ToyScratchpad();
    Answer base = pad.ask(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "q");
    AnswerDiff same = base.diff(base.regenerate());
    assertFalse(same.changed());
    AnswerDiff d = base.diff(base.ablate(4, 9).regenerate());
    assertEquals(0, d.firstChange());
    assertEquals(2, d.rows().size());
    assertEquals(new AnswerDiff.Row(1, "", " L9", true), d.rows().get(1));
    assertTrue(d.toString().startsWith("AnswerDiff[first change at token 0; \"base\" -> \"L4 L9\""), d.toString());
  }

  @Test
  void regenerate_fails_clearly_when_the_scratchpad_is_closed() {
    ToyScratchpad pad = new ToyScratchpad();
    Answer base = pad.ask(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "q");
    pad.close();
    assertThrows(ScratchpadException.class, () -> base.ablate(1).regenerate());
  }
}
