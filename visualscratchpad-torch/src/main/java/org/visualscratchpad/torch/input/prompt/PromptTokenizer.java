package org.visualscratchpad.torch.input.prompt;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;

/**
 * A checkpoint's Hugging Face tokenizer ({@code tokenizer.json}, run by DJL's binding of the Rust
 * {@code tokenizers} library), loaded only from a local file: nothing is ever downloaded. Encodes
 * prompts and expands each {@code <image>} to its image's feature count.
 *
 * <p>Safe for concurrent use; {@link #close()} frees the native tokenizer (idempotent).
 *
 * <pre>{@code
 * jshell> try (var tok = PromptTokenizer.load(Path.of("llava-1.5-7b-hf"))) {
 *    ...>   var p = tok.encodePrompt("USER: <image>\nWhat is shown? ASSISTANT:", "<image>", 32000, List.of(576));
 *    ...>   System.out.println(p);
 *    ...> }
 * PromptInputs[TokenIds[589] [1, 3148, 1001, 29901, ...], images [ImageSpan[image=0, start=5, length=576]]]
 * }</pre>
 */
public final class PromptTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final Path file;
  private final String unkToken;

  private PromptTokenizer(HuggingFaceTokenizer tokenizer, Path file, String unkToken) {
    this.tokenizer = tokenizer;
    this.file = file;
    this.unkToken = unkToken;
  }

  /**
   * Loads {@code tokenizer.json} (the file, or the checkpoint folder holding it). No truncation,
   * no padding; the post-processor's special tokens (BOS) are added on {@link SpecialTokens#INCLUDE}.
   *
   * @throws CheckpointFormatException if the file is missing or not a valid tokenizer
   */
  public static PromptTokenizer load(Path fileOrDir) {
    Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve("tokenizer.json") : fileOrDir;
    if (!Files.isRegularFile(file)) {
      throw new CheckpointFormatException(file, "tokenizer.json does not exist. Copy it from the Hugging Face"
          + " checkpoint folder; tokenizers are never downloaded.");
    }
    checkNesting(file);
    String unk = checkAndReadUnkToken(file);
    // From a stream, never by name: a name makes DJL contact the Hugging Face Hub.
    try (InputStream in = Files.newInputStream(file)) {
      HuggingFaceTokenizer t = HuggingFaceTokenizer.newInstance(in,
          Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false"));
      return new PromptTokenizer(t, file, unk);
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "cannot be read: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new CheckpointFormatException(file, "is not a valid Hugging Face tokenizer.json: " + e.getMessage(), e);
    }
  }

  /** Deepest nesting of objects and arrays accepted in tokenizer.json (real files nest fewer than 10 levels). */
  static final int MAX_NESTING = 64;

  /**
   * Refuses a tokenizer.json nested more than {@link #MAX_NESTING} levels deep before the native library reads it:
   * its JSON reader stops at 128 levels with a panic that aborts the whole JVM (a decoder {@code Sequence} nested
   * inside itself is enough).
   */
  private static void checkNesting(Path file) {
    try (com.fasterxml.jackson.core.JsonParser p = new com.fasterxml.jackson.databind.ObjectMapper().createParser(file.toFile())) {
      int depth = 0;
      for (com.fasterxml.jackson.core.JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t.isStructStart()) {
          if (++depth > MAX_NESTING) {
            throw new CheckpointFormatException(file, "nests objects or arrays more than " + MAX_NESTING
                + " levels deep (at line " + p.currentLocation().getLineNr() + ", column "
                + p.currentLocation().getColumnNr() + "). The tokenizer.json is corrupted.");
          }
        } else if (t.isStructEnd()) {
          depth--;
        }
      }
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "is not valid JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Reads what the Java side needs from tokenizer.json before the native library sees it, streamed
   * (the file can be tens of MB): the model's {@code unk_token} (null when it has none, as byte-level
   * BPE), and a check of the post-processor, whose dangling special-token references make the
   * native library abort the whole JVM instead of failing.
   */
  private static String checkAndReadUnkToken(Path file) {
    String unk = null;
    try (com.fasterxml.jackson.core.JsonParser p = new com.fasterxml.jackson.databind.ObjectMapper().createParser(file.toFile())) {
      if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
        throw new CheckpointFormatException(file, "is not a JSON object: not a Hugging Face tokenizer.json");
      }
      while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
        String name = p.currentName();
        com.fasterxml.jackson.core.JsonToken value = p.nextToken();
        if (name.equals("post_processor") && value == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
          checkPostProcessor(file, p.readValueAsTree());
        } else if (name.equals("model") && value == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
          while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
            String field = p.currentName();
            com.fasterxml.jackson.core.JsonToken v = p.nextToken();
            if (field.equals("unk_token") && v == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
              unk = p.getText();
            } else {
              p.skipChildren();
            }
          }
        } else {
          p.skipChildren();
        }
      }
      return unk;
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "is not valid JSON: " + e.getMessage(), e);
    }
  }

  /** Every special token a TemplateProcessing post-processor names must be one it defines. */
  private static void checkPostProcessor(Path file, com.fasterxml.jackson.databind.JsonNode pp) {
    if (pp == null || !pp.isObject()) {
      return;
    }
    // by shape, not by "type": the native deserializer takes a template whatever its type says
    for (com.fasterxml.jackson.databind.JsonNode inner : pp.path("processors")) {
      checkPostProcessor(file, inner);
    }
    com.fasterxml.jackson.databind.JsonNode defined = pp.path("special_tokens");
    for (String which : new String[] {"single", "pair"}) {
      for (com.fasterxml.jackson.databind.JsonNode piece : pp.path(which)) {
        com.fasterxml.jackson.databind.JsonNode special = piece.path("SpecialToken");
        // the native reader takes the piece as an object {"id", "type_id"} or, like any struct, as an array [id, type_id]
        if (special.isObject() || special.isArray()) {
          String id = special.isObject() ? special.path("id").asText() : special.path(0).asText();
          com.fasterxml.jackson.databind.JsonNode def = defined.path(id);
          if (!def.isObject() || !def.path("ids").isArray() || def.path("ids").isEmpty()
              || def.path("ids").size() != def.path("tokens").size()) {
            throw new CheckpointFormatException(file, "post_processor." + which + " names the special token '" + id
                + "' but post_processor.special_tokens does not define it with ids and tokens of equal length."
                + " The tokenizer.json is corrupted.");
          }
        }
      }
    }
  }

  /**
   * The words of {@code text} that the tokenizer does not know, as written in {@code text}: each
   * becomes the {@code unk_token}, so the model sees them all as one and the same token (two class
   * names made only of unknown words get identical logits). Empty for a byte-level tokenizer.
   */
  public List<String> unknownWords(String text) {
    InvalidInputException.check(text != null, "text must not be null");
    if (unkToken == null) {
      return List.of();
    }
    Encoding e = nativeEncode(text, false, false);
    String[] tokens = e.getTokens();
    ai.djl.huggingface.tokenizers.jni.CharSpan[] spans = e.getCharTokenSpans();
    List<String> words = new ArrayList<>();
    for (int k = 0; k < tokens.length; k++) {
      if (unkToken.equals(tokens[k]) && !text.contains(unkToken)) {
        ai.djl.huggingface.tokenizers.jni.CharSpan span = spans != null && k < spans.length ? spans[k] : null;
        words.add(span == null ? tokens[k] : text.substring(span.getStart(), span.getEnd()));
      } else if (unkToken.equals(tokens[k])) {
        words.add(tokens[k]);
      }
    }
    return List.copyOf(words);
  }

  /** The native encoder; its errors (a vocabulary without the unk token it names, ...) name this file. */
  private Encoding nativeEncode(String text, boolean addSpecialTokens, boolean withOverflowingTokens) {
    try {
      return tokenizer.encode(text, addSpecialTokens, withOverflowingTokens);
    } catch (RuntimeException e) {
      throw new CheckpointFormatException(file, "cannot tokenize the text: " + e.getMessage()
          + ". Is the tokenizer.json intact?", e);
    }
  }

  /** The {@code tokenizer.json} this was loaded from. */
  public Path file() {
    return file;
  }

  /** The ids of {@code text}; {@code special} says whether BOS and other post-processor tokens are added. */
  public TokenIds encode(String text, SpecialTokens special) {
    InvalidInputException.check(text != null, "text must not be null");
    Encoding e = nativeEncode(text, special == SpecialTokens.INCLUDE, false);
    return TokenIds.adopt(e.getIds());
  }

  /** The tokens (strings) of {@code text}, without special tokens added. */
  public List<String> tokens(String text) {
    return List.of(nativeEncode(text, false, false).getTokens());
  }

  /** The text of {@code ids}; {@code special} says whether special tokens are kept. */
  public String decode(TokenIds ids, SpecialTokens special) {
    try {
      return tokenizer.decode(ids.toArray(), special == SpecialTokens.EXCLUDE);
    } catch (RuntimeException e) {
      throw new CheckpointFormatException(file, "cannot decode " + ids + ": " + e.getMessage(), e);
    }
  }

  /** The id of {@code token} if it encodes to exactly one token that is itself (an added or vocabulary token). */
  public OptionalLong idOf(String token) {
    Encoding e = nativeEncode(token, false, false);
    long[] ids = e.getIds();
    if (ids.length == 1 && token.equals(e.getTokens()[0])) {
      return OptionalLong.of(ids[0]);
    }
    return OptionalLong.empty();
  }

  /**
   * Tokenizes {@code prompt} (with special tokens) and replaces the {@code k}-th occurrence of
   * {@code imageToken} by {@code featureCounts.get(k)} copies of its id, as HF's LLaVA processors
   * expand {@code <image>}.
   *
   * @param prompt the rendered prompt text, one {@code imageToken} per image
   * @param imageToken the image placeholder, e.g. {@code <image>}
   * @param imageTokenId {@code image_token_index} of the model config
   * @param featureCounts per image, its {@link org.visualscratchpad.torch.input.layout.ImageFeatureLayout#tokenCount()}
   * @throws InvalidInputException if the tokenizer does not map {@code imageToken} to {@code
   *     imageTokenId}, or the prompt's image count differs from {@code featureCounts.size()}
   */
  public PromptInputs encodePrompt(String prompt, String imageToken, long imageTokenId, List<Integer> featureCounts) {
    return encodePrompt(prompt, SpecialTokens.INCLUDE, imageToken, imageTokenId, featureCounts);
  }

  /**
   * {@link #encodePrompt(String, String, long, List)} with the choice of special tokens: use {@link
   * SpecialTokens#EXCLUDE} for a prompt whose chat template already wrote {@code bos_token} (as HF's
   * {@code apply_chat_template(tokenize=True)} does), or the sequence would start with two BOS.
   */
  public PromptInputs encodePrompt(String prompt, SpecialTokens special, String imageToken, long imageTokenId,
      List<Integer> featureCounts) {
    OptionalLong id = idOf(imageToken);
    if (id.isEmpty() || id.getAsLong() != imageTokenId) {
      throw new InvalidInputException(String.format(
          "image token %s must be one token with id %d (image_token_index) in %s; it encodes to %s. Is this the"
              + " checkpoint's tokenizer?", imageToken, imageTokenId, file, encode(imageToken, SpecialTokens.EXCLUDE)));
    }
    TokenIds raw = encode(prompt, special);
    int images = raw.count(imageTokenId);
    if (images != featureCounts.size()) {
      throw new InvalidInputException(String.format(
          "the prompt holds %d %s tokens but %d image feature counts were given; there must be one %s per image",
          images, imageToken, featureCounts.size(), imageToken));
    }
    long total = raw.length();
    for (int count : featureCounts) {
      InvalidInputException.check(count > 0, "image feature count (%s) must be positive", count);
      total += count - 1;
    }
    InvalidInputException.check(total <= Integer.MAX_VALUE, "expanded prompt (%s tokens) is too long", total);
    long[] out = new long[(int) total];
    List<ImageSpan> spans = new ArrayList<>();
    int w = 0;
    int image = 0;
    for (int k = 0; k < raw.length(); k++) {
      long v = raw.get(k);
      if (v == imageTokenId) {
        int count = featureCounts.get(image);
        spans.add(new ImageSpan(image, w, count));
        for (int c = 0; c < count; c++) {
          out[w++] = imageTokenId;
        }
        image++;
      } else {
        out[w++] = v;
      }
    }
    return new PromptInputs(TokenIds.adopt(out), spans, imageTokenId);
  }

  @Override
  public void close() {
    tokenizer.close();
  }

  @Override
  public String toString() {
    return "PromptTokenizer[" + file + "]";
  }
}
