package org.visualscratchpad.samples.shapes.language;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.ScratchpadException;

/**
 * The word-level vocabulary of ShapesWorld and a Java tokenizer that behaves exactly like the Hugging
 * Face {@code tokenizer.json} it writes (model {@code WordLevel}, pre-tokenizer {@code Whitespace},
 * i.e. the pieces {@code \w+|[^\w\s]+}; special tokens matched before splitting; {@code <s>} prepended
 * by a {@code TemplateProcessing} post-processor). Ids: {@code <unk>} 0, {@code <s>} 1, {@code </s>} 2,
 * {@code <pad>} 3, {@code <image>} 4, then the words.
 *
 * <pre>{@code
 * jshell> ShapesVocabulary.INSTANCE.encode("USER: <image>\nhow many objects are there ? ASSISTANT:")
 * $1 ==> int[11] { 1, 5, 6, 4, ... }
 * jshell> ShapesVocabulary.INSTANCE.decode(new int[] {27, 2})
 * $2 ==> "red </s>"
 * }</pre>
 *
 * <p>Thread-safe (immutable).
 */
public final class ShapesVocabulary {
  public static final int UNK = 0;
  public static final int BOS = 1;
  public static final int EOS = 2;
  public static final int PAD = 3;
  public static final int IMAGE = 4;

  private static final List<String> SPECIALS = List.of("<unk>", "<s>", "</s>", "<pad>", ChatPrompt.IMAGE_TOKEN);
  private static final List<String> WORDS = List.of(
      "USER", ":", "ASSISTANT",
      "what", "colour", "is", "the", "shape", "object", "where", "how", "many", "objects", "are", "there",
      "describe", "image", "?", ".",
      "a", "and", "big", "small", "red", "green", "blue", "yellow", "circle", "square", "triangle", "diamond",
      "top", "bottom", "left", "right", "one", "two", "three");

  /** The vocabulary of the shipped model. */
  public static final ShapesVocabulary INSTANCE = new ShapesVocabulary();

  private static final Pattern SPECIAL = Pattern.compile("<unk>|<s>|</s>|<pad>|<image>");
  private static final Pattern PIECE = Pattern.compile("\\w+|[^\\w\\s]+", Pattern.UNICODE_CHARACTER_CLASS);

  private final List<String> tokens;
  private final Map<String, Integer> ids;

  private ShapesVocabulary() {
    List<String> all = new ArrayList<>(SPECIALS);
    all.addAll(WORDS);
    tokens = List.copyOf(all);
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < tokens.size(); i++) {
      m.put(tokens.get(i), i);
    }
    ids = Map.copyOf(m);
  }

  /** Number of tokens (the model's {@code vocab_size}). */
  public int size() {
    return tokens.size();
  }

  /** The token of {@code id}. */
  public String token(int id) {
    InvalidInputException.check(id >= 0 && id < tokens.size(), "token id (%s) must be in [0, %s)", id, tokens.size());
    return tokens.get(id);
  }

  /**
   * The id of {@code token}.
   *
   * @throws InvalidInputException if the token is not in the vocabulary
   */
  public int id(String token) {
    Integer id = ids.get(token);
    if (id == null) {
      throw new InvalidInputException("token (" + token + ") is not in the ShapesWorld vocabulary; known: " + tokens);
    }
    return id;
  }

  /** Token ids of {@code text} with {@code <s>} prepended, as the HF tokenizer with special tokens gives them. */
  public int[] encode(String text) {
    List<Integer> out = new ArrayList<>();
    out.add(BOS);
    Matcher special = SPECIAL.matcher(text);
    int from = 0;
    while (special.find()) {
      pieces(text.substring(from, special.start()), out);
      out.add(ids.get(special.group()));
      from = special.end();
    }
    pieces(text.substring(from), out);
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Token ids of the words of {@code text}, without {@code <s>} (for answers). */
  public int[] encodeWords(String text) {
    List<Integer> out = new ArrayList<>();
    pieces(text, out);
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  private void pieces(String text, List<Integer> out) {
    Matcher m = PIECE.matcher(text);
    while (m.find()) {
      out.add(ids.getOrDefault(m.group(), UNK));
    }
  }

  /** The tokens of {@code tokenIds} joined by single spaces (HF's default decoding without a decoder). */
  public String decode(int[] tokenIds) {
    StringBuilder sb = new StringBuilder();
    for (int id : tokenIds) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(token(id));
    }
    return sb.toString();
  }

  /** Writes {@code tokenizer.json}, {@code tokenizer_config.json}, {@code special_tokens_map.json} and {@code chat_template.json} into {@code folder}. */
  public void writeTokenizerFiles(Path folder) {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode tok = json.createObjectNode();
    tok.put("version", "1.0");
    tok.putNull("truncation");
    tok.putNull("padding");
    ArrayNode added = tok.putArray("added_tokens");
    for (int i = 0; i < SPECIALS.size(); i++) {
      ObjectNode a = added.addObject();
      a.put("id", i);
      a.put("content", SPECIALS.get(i));
      a.put("single_word", false);
      a.put("lstrip", false);
      a.put("rstrip", false);
      a.put("normalized", false);
      a.put("special", true);
    }
    tok.putNull("normalizer");
    tok.putObject("pre_tokenizer").put("type", "Whitespace");
    ObjectNode post = tok.putObject("post_processor");
    post.put("type", "TemplateProcessing");
    ArrayNode single = post.putArray("single");
    single.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
    single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    ArrayNode pair = post.putArray("pair");
    pair.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
    pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
    ObjectNode bos = post.putObject("special_tokens").putObject("<s>");
    bos.put("id", "<s>");
    bos.putArray("ids").add(BOS);
    bos.putArray("tokens").add("<s>");
    tok.putNull("decoder");
    ObjectNode model = tok.putObject("model");
    model.put("type", "WordLevel");
    ObjectNode vocab = model.putObject("vocab");
    for (int i = 0; i < tokens.size(); i++) {
      vocab.put(tokens.get(i), i);
    }
    model.put("unk_token", "<unk>");

    ObjectNode cfg = json.createObjectNode();
    cfg.put("add_bos_token", true);
    cfg.put("add_eos_token", false);
    ObjectNode decoder = cfg.putObject("added_tokens_decoder");
    for (int i = 0; i < SPECIALS.size(); i++) {
      ObjectNode a = decoder.putObject(Integer.toString(i));
      a.put("content", SPECIALS.get(i));
      a.put("lstrip", false);
      a.put("normalized", false);
      a.put("rstrip", false);
      a.put("single_word", false);
      a.put("special", true);
    }
    cfg.put("bos_token", "<s>");
    cfg.put("chat_template", ChatPrompt.TEMPLATE);
    cfg.put("clean_up_tokenization_spaces", false);
    cfg.put("eos_token", "</s>");
    cfg.put("model_max_length", 256);
    cfg.put("pad_token", "<pad>");
    cfg.put("padding_side", "left");
    cfg.put("processor_class", "LlavaProcessor");
    cfg.put("tokenizer_class", "PreTrainedTokenizerFast");
    cfg.put("unk_token", "<unk>");

    ObjectNode specialMap = json.createObjectNode();
    specialMap.put("bos_token", "<s>");
    specialMap.put("eos_token", "</s>");
    specialMap.put("pad_token", "<pad>");
    specialMap.put("unk_token", "<unk>");
    specialMap.putArray("additional_special_tokens").add(ChatPrompt.IMAGE_TOKEN);

    ObjectNode chat = json.createObjectNode();
    chat.put("chat_template", ChatPrompt.TEMPLATE);
    try {
      Files.createDirectories(folder);
      json.writeValue(folder.resolve("tokenizer.json").toFile(), tok);
      json.writeValue(folder.resolve("tokenizer_config.json").toFile(), cfg);
      json.writeValue(folder.resolve("special_tokens_map.json").toFile(), specialMap);
      json.writeValue(folder.resolve("chat_template.json").toFile(), chat);
    } catch (IOException e) {
      throw new ScratchpadException("tokenizer files could not be written to " + folder + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "ShapesVocabulary[" + tokens.size() + " tokens: " + tokens.subList(0, 12) + " ...]";
  }
}
