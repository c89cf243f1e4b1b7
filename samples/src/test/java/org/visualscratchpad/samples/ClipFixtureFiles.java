package org.visualscratchpad.samples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.visualscratchpad.safetensors.SafetensorsWriter;

/**
 * The tiny CLIP of {@code ../shared/fixtures/hf-reference/clip} made usable for classification in
 * tests: a word-level tokenizer over its synthetic ids ({@code a photo of . w7 ... w98}) and a random
 * SAELens SAE at vision layer 1 ({@code d_in 32, d_sae 64}).
 */
public final class ClipFixtureFiles {
  private ClipFixtureFiles() {}

  /** The fixture folder, from the {@code vsp.shared.dir} system property (Maven sets it). */
  public static Path fixture() {
    return Path.of(System.getProperty("vsp.shared.dir", "../../shared"), "fixtures", "hf-reference", "clip");
  }

  /** Copies the fixture's model into {@code model} and adds the tokenizer; returns {@code model}. */
  public static Path model(Path model) throws Exception {
    Files.createDirectories(model);
    for (String f : List.of("config.json", "model.safetensors", "preprocessor_config.json")) {
      Files.copy(fixture().resolve(f), model.resolve(f));
    }
    writeTokenizer(model.resolve("tokenizer.json"));
    return model;
  }

  public static void writeTokenizer(Path file) throws Exception {
    StringBuilder vocab = new StringBuilder("\"<s>\":0,\"<unk>\":1,\"</s>\":2,\"a\":3,\"photo\":4,\"of\":5,\".\":6");
    for (int id = 7; id < 99; id++) {
      vocab.append(",\"w").append(id).append("\":").append(id);
    }
    String special = "\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true";
    Files.writeString(file, "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":["
        + "{\"id\":0,\"content\":\"<s>\"," + special + "},{\"id\":1,\"content\":\"<unk>\"," + special + "},"
        + "{\"id\":2,\"content\":\"</s>\"," + special + "}],\"normalizer\":null,"
        + "\"pre_tokenizer\":{\"type\":\"Whitespace\"},"
        + "\"post_processor\":{\"type\":\"TemplateProcessing\","
        + "\"single\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},"
        + "{\"SpecialToken\":{\"id\":\"</s>\",\"type_id\":0}}],"
        + "\"pair\":[{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}],"
        + "\"special_tokens\":{\"<s>\":{\"id\":\"<s>\",\"ids\":[0],\"tokens\":[\"<s>\"]},"
        + "\"</s>\":{\"id\":\"</s>\",\"ids\":[2],\"tokens\":[\"</s>\"]}}},"
        + "\"decoder\":{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":false},"
        + "\"model\":{\"type\":\"WordLevel\",\"unk_token\":\"<unk>\",\"vocab\":{" + vocab + "}}}");
  }

  public static Path writeSae(Path folder, long seed) throws Exception {
    Files.createDirectories(folder);
    int dIn = 32;
    int dSae = 64;
    Random r = new Random(seed);
    float[] wEnc = new float[dIn * dSae];
    float[] wDec = new float[dSae * dIn];
    float[] bEnc = new float[dSae];
    for (int i = 0; i < wEnc.length; i++) {
      wEnc[i] = (float) (r.nextGaussian() / Math.sqrt(dIn));
      wDec[i] = (float) (r.nextGaussian() / Math.sqrt(dSae));
    }
    java.util.Arrays.fill(bEnc, 0.1f);
    new SafetensorsWriter().putFloats("W_enc", wEnc, dIn, dSae).putFloats("b_enc", bEnc, dSae)
        .putFloats("W_dec", wDec, dSae, dIn).putFloats("b_dec", new float[dIn], dIn)
        .write(folder.resolve("sae_weights.safetensors"));
    Files.writeString(folder.resolve("cfg.json"), "{\"architecture\":\"standard\",\"d_in\":32,\"d_sae\":64,"
        + "\"hook_name\":\"vision.blocks.1.hook_resid_post\",\"apply_b_dec_to_input\":true,\"dtype\":\"float32\","
        + "\"normalize_activations\":\"none\"}");
    return folder;
  }
}
