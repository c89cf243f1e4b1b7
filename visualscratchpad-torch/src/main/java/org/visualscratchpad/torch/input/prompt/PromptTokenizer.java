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
    // From a stream, never by name: a name makes DJL contact the Hugging Face Hub.
    try (InputStream in = Files.newInputStream(file)) {
      HuggingFaceTokenizer t = HuggingFaceTokenizer.newInstance(in,
          Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false"));
      return new PromptTokenizer(t, file, unkToken(file));
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "cannot be read: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new CheckpointFormatException(file, "is not a valid Hugging Face tokenizer.json: " + e.getMessage(), e);
    }
  }

  /** The model's {@code unk_token} in tokenizer.json, or null (byte-level BPE has none). */
  private static String unkToken(Path file) {
    try (com.fasterxml.jackson.core.JsonParser p = new com.fasterxml.jackson.core.JsonFactory().createParser(file.toFile())) {
      // streamed: tokenizer.json can be tens of MB; only model.unk_token is wanted
      int depth = 0;
      boolean inModel = false;
      for (com.fasterxml.jackson.core.JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == com.fasterxml.jackson.core.JsonToken.START_OBJECT || t == com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
          depth++;
        } else if (t == com.fasterxml.jackson.core.JsonToken.END_OBJECT || t == com.fasterxml.jackson.core.JsonToken.END_ARRAY) {
          depth--;
          inModel = inModel && depth >= 2;
        } else if (t == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
          String name = p.currentName();
          if (depth == 1 && name.equals("model")) {
            inModel = true;
          } else if (inModel && depth == 2 && name.equals("unk_token")) {
            return p.nextToken() == com.fasterxml.jackson.core.JsonToken.VALUE_STRING ? p.getText() : null;
          } else if (depth >= 1 && !inModel && p.nextToken().isStructStart()) {
            p.skipChildren();
          }
        }
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return null;
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
    Encoding e = tokenizer.encode(text, false, false);
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

  /** The {@code tokenizer.json} this was loaded from. */
  public Path file() {
    return file;
  }

  /** The ids of {@code text}; {@code special} says whether BOS and other post-processor tokens are added. */
  public TokenIds encode(String text, SpecialTokens special) {
    InvalidInputException.check(text != null, "text must not be null");
    Encoding e = tokenizer.encode(text, special == SpecialTokens.INCLUDE, false);
    return TokenIds.adopt(e.getIds());
  }

  /** The tokens (strings) of {@code text}, without special tokens added. */
  public List<String> tokens(String text) {
    return List.of(tokenizer.encode(text, false, false).getTokens());
  }

  /** The text of {@code ids}; {@code special} says whether special tokens are kept. */
  public String decode(TokenIds ids, SpecialTokens special) {
    return tokenizer.decode(ids.toArray(), special == SpecialTokens.EXCLUDE);
  }

  /** The id of {@code token} if it encodes to exactly one token that is itself (an added or vocabulary token). */
  public OptionalLong idOf(String token) {
    Encoding e = tokenizer.encode(token, false, false);
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
