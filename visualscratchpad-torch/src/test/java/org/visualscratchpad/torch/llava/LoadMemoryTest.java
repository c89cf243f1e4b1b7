package org.visualscratchpad.torch.llava;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading does not hold a second copy of the weights: a synthetic LLaVA checkpoint with two
 * 4096-wide Llama-3-shaped layers (F16 on disk, like the Hub) is loaded and the process's peak
 * resident memory grows by at most 1.3x the weights' float32 size. Slow (writes ~0.9 GB): runs
 * with {@code -Pslow} ({@code vsp.slow=true}).
 */
class LoadMemoryTest {
  private static final long SEED = 20261125L;

  @Test
  void loading_f16_weights_peaks_below_1_3x_their_float32_size(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(Boolean.getBoolean("vsp.slow"), "slow test: run with -Pslow");
    Assumptions.assumeTrue(Files.isWritable(Path.of("/proc/self/clear_refs")), "needs /proc/self/clear_refs (Linux)");
    int d = 4096;
    int inter = 14336;
    int heads = 32;
    int kv = 8;
    int hd = 128;
    int vocab = 1024;
    int dv = 32;
    Files.writeString(dir.resolve("config.json"), """
        {"model_type": "llava", "image_token_index": 1000, "pad_token_id": 1001,
         "vision_config": {"model_type": "clip_vision_model", "hidden_size": 32, "intermediate_size": 64,
           "num_hidden_layers": 2, "num_attention_heads": 4, "image_size": 28, "patch_size": 7},
         "text_config": {"model_type": "llama", "hidden_size": 4096, "intermediate_size": 14336,
           "num_hidden_layers": 2, "num_attention_heads": 32, "num_key_value_heads": 8,
           "vocab_size": 1024, "max_position_embeddings": 512, "rms_norm_eps": 1e-5, "rope_theta": 500000.0}}
        """);
    Map<String, long[]> tensors = new LinkedHashMap<>();
    String v = "vision_tower.vision_model.";
    tensors.put(v + "embeddings.class_embedding", new long[] {dv});
    tensors.put(v + "embeddings.patch_embedding.weight", new long[] {dv, 3, 7, 7});
    tensors.put(v + "embeddings.position_embedding.weight", new long[] {17, dv});
    tensors.put(v + "pre_layrnorm.weight", new long[] {dv});
    tensors.put(v + "pre_layrnorm.bias", new long[] {dv});
    for (int l = 0; l < 2; l++) {
      String p = v + "encoder.layers." + l + ".";
      for (String n : List.of("q_proj", "k_proj", "v_proj", "out_proj")) {
        tensors.put(p + "self_attn." + n + ".weight", new long[] {dv, dv});
        tensors.put(p + "self_attn." + n + ".bias", new long[] {dv});
      }
      for (String n : List.of("layer_norm1", "layer_norm2")) {
        tensors.put(p + n + ".weight", new long[] {dv});
        tensors.put(p + n + ".bias", new long[] {dv});
      }
      tensors.put(p + "mlp.fc1.weight", new long[] {64, dv});
      tensors.put(p + "mlp.fc1.bias", new long[] {64});
      tensors.put(p + "mlp.fc2.weight", new long[] {dv, 64});
      tensors.put(p + "mlp.fc2.bias", new long[] {dv});
    }
    tensors.put("multi_modal_projector.linear_1.weight", new long[] {d, dv});
    tensors.put("multi_modal_projector.linear_1.bias", new long[] {d});
    tensors.put("multi_modal_projector.linear_2.weight", new long[] {d, d});
    tensors.put("multi_modal_projector.linear_2.bias", new long[] {d});
    tensors.put("language_model.model.embed_tokens.weight", new long[] {vocab, d});
    for (int l = 0; l < 2; l++) {
      String p = "language_model.model.layers." + l + ".";
      tensors.put(p + "input_layernorm.weight", new long[] {d});
      tensors.put(p + "post_attention_layernorm.weight", new long[] {d});
      tensors.put(p + "self_attn.q_proj.weight", new long[] {(long) heads * hd, d});
      tensors.put(p + "self_attn.k_proj.weight", new long[] {(long) kv * hd, d});
      tensors.put(p + "self_attn.v_proj.weight", new long[] {(long) kv * hd, d});
      tensors.put(p + "self_attn.o_proj.weight", new long[] {d, (long) heads * hd});
      tensors.put(p + "mlp.gate_proj.weight", new long[] {inter, d});
      tensors.put(p + "mlp.up_proj.weight", new long[] {inter, d});
      tensors.put(p + "mlp.down_proj.weight", new long[] {d, inter});
    }
    tensors.put("language_model.model.norm.weight", new long[] {d});
    tensors.put("language_model.lm_head.weight", new long[] {vocab, d});
    long params = writeF16(dir.resolve("model.safetensors"), tensors);
    long fp32 = params * 4;

    try (ai.djl.ndarray.NDManager warm = ai.djl.ndarray.NDManager.newBaseManager()) {
      warm.ones(new ai.djl.ndarray.types.Shape(4, 4)).matMul(warm.ones(new ai.djl.ndarray.types.Shape(4, 4)));
    }   // libtorch itself is loaded before measuring: only the weights should count
    System.gc();
    long before = status("VmRSS");
    Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    long peak;
    try (LlavaModel model = LlavaModel.load(dir)) {
      peak = status("VmHWM");
      var logits = model.forwardTrace(new long[][] {{1, 2, 3}}, null, null, List.of(), false).get("logits").orElseThrow();
      assertEquals(3 * vocab, logits.size());
    }
    long grown = peak - before;
    System.out.printf("params %d, fp32 %.2f GiB, RSS before %.2f GiB, peak %.2f GiB, grown %.2f GiB = %.2fx fp32%n",
        params, fp32 / 1073741824.0, before / 1073741824.0, peak / 1073741824.0, grown / 1073741824.0,
        (double) grown / fp32);
    assertTrue(grown <= 1.3 * fp32, "peak grew by " + grown + " bytes; limit 1.3 x " + fp32);
  }

  /** Writes random finite F16 values of the given shapes, streaming; returns the parameter count. */
  private static long writeF16(Path file, Map<String, long[]> tensors) throws IOException {
    StringBuilder header = new StringBuilder("{");
    long offset = 0;
    long params = 0;
    for (Map.Entry<String, long[]> e : tensors.entrySet()) {
      long n = 1;
      StringBuilder shape = new StringBuilder();
      for (long s : e.getValue()) {
        n *= s;
        shape.append(shape.length() == 0 ? "" : ",").append(s);
      }
      header.append(header.length() == 1 ? "" : ",").append('"').append(e.getKey()).append("\":{\"dtype\":\"F16\",\"shape\":[")
          .append(shape).append("],\"data_offsets\":[").append(offset).append(',').append(offset + 2 * n).append("]}");
      offset += 2 * n;
      params += n;
    }
    header.append('}');
    while ((header.length() + 8) % 8 != 0) {
      header.append(' ');
    }
    byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
    SplittableRandom rng = new SplittableRandom(SEED);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
      len.flip();
      ch.write(len);
      ch.write(ByteBuffer.wrap(h));
      ByteBuffer buf = ByteBuffer.allocateDirect(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
      for (long i = 0; i < params; i++) {
        // sign, exponent 2^-7, random mantissa: finite values of magnitude ~0.01
        buf.putShort((short) ((rng.nextInt(2) << 15) | (8 << 10) | rng.nextInt(1024)));
        if (!buf.hasRemaining()) {
          buf.flip();
          while (buf.hasRemaining()) {
            ch.write(buf);
          }
          buf.clear();
        }
      }
      buf.flip();
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
    }
    return params;
  }

  private static long status(String key) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(key + ":")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IllegalStateException(key + " not in /proc/self/status");
  }
}
