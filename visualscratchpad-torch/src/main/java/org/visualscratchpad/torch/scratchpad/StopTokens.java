package org.visualscratchpad.torch.scratchpad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.torch.input.prompt.PromptTokenizer;

/** The ids that end generation: {@code generation_config.json}'s eos ids, else the tokenizer's end tokens. */
final class StopTokens {
  private StopTokens() {}

  static Set<Integer> of(Path modelDir, PromptTokenizer tokenizer) {
    Set<Integer> ids = new LinkedHashSet<>();
    for (String file : new String[] {"generation_config.json", "config.json"}) {
      Path p = modelDir.resolve(file);
      if (!Files.isRegularFile(p)) {
        continue;
      }
      try {
        JsonNode root = new ObjectMapper().readTree(p.toFile());
        collect(root.get("eos_token_id"), ids);
        if (root.has("text_config")) {
          collect(root.get("text_config").get("eos_token_id"), ids);
        }
      } catch (IOException e) {
        throw new CheckpointFormatException(p, "cannot read eos_token_id: " + e.getMessage(), e);
      }
      if (!ids.isEmpty()) {
        return ids;
      }
    }
    for (String t : new String[] {"</s>", "<|eot_id|>", "<|end_of_text|>"}) {
      tokenizer.idOf(t).ifPresent(id -> ids.add((int) id));
    }
    return ids;
  }

  private static void collect(JsonNode node, Set<Integer> out) {
    if (node == null || node.isNull()) {
      return;
    }
    if (node.isArray()) {
      node.forEach(n -> out.add(n.asInt()));
    } else if (node.isIntegralNumber()) {
      out.add(node.asInt());
    }
  }
}
