package org.visualscratchpad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.scratchpad.LoadSpec;
import org.visualscratchpad.scratchpad.Scratchpad;
import picocli.CommandLine;

class ServeCommandTest {

  @Test
  void serve_is_registered_and_documents_its_options() {
    String usage = new CommandLine(new Vsp()).getSubcommands().get("serve").getUsageMessage();
    for (String opt : new String[] {"--model", "--sae", "--stats", "--images", "--port", "--host", "--open"}) {
      assertTrue(usage.contains(opt), usage);
    }
  }

  @Test
  void serve_with_only_a_model_explains_what_to_pass_and_exits_with_2() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine cl = new CommandLine(new Vsp());
    cl.setExecutionExceptionHandler(new Vsp.Errors());
    cl.setErr(new java.io.PrintWriter(new PrintStream(err, true, StandardCharsets.UTF_8), true));
    assertEquals(2, cl.execute("serve", "--port", "0", "--model", "no-such-model"));
    String msg = err.toString(StandardCharsets.UTF_8);
    assertTrue(msg.contains("both --model DIR and --sae DIR, or neither"), msg);
  }

  @Test
  void serve_without_model_and_sae_loads_the_shipped_demo() throws Exception {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve).parseArgs("--port", "0");
    LoadSpec spec = serve.spec();
    assertTrue(Files.isRegularFile(spec.model().resolve("config.json")), spec.toString());
    assertTrue(Files.isRegularFile(spec.sae().resolve("cfg.json")), spec.toString());
    assertTrue(spec.statisticsPath().isPresent(), spec.toString());
    try (Scratchpad pad = Scratchpad.load(spec)) {
      assertEquals(512, pad.sae().dSae());
      assertTrue(pad.statistics().isPresent());
    }
  }

  @Test
  void reference_images_come_from_the_demo_scenes_or_the_images_folder_only(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
    org.visualscratchpad.server.ServerOptions options = org.visualscratchpad.server.ServerOptions.defaults();
    ServeCommand demo = new ServeCommand();
    new CommandLine(demo).parseArgs("--port", "0");
    assertTrue(demo.references(options).describe().contains("ShapesWorld"), demo.references(options).describe());
    assertTrue(demo.references(options).load("scene-7").isPresent());
    ServeCommand folder = new ServeCommand();
    new CommandLine(folder).parseArgs("--model", "m", "--sae", "s", "--images", tmp.toString());
    assertTrue(folder.references(options).describe().contains(tmp.getFileName().toString()), folder.references(options).describe());
    assertTrue(folder.references(options).load("scene-7").isEmpty(), "a checkpoint's stats never name demo scenes");
    ServeCommand none = new ServeCommand();
    new CommandLine(none).parseArgs("--model", "m", "--sae", "s", "--stats", "st");
    assertTrue(none.references(options).describe().contains("--images DIR"), none.references(options).describe());
    ServeCommand missing = new ServeCommand();
    new CommandLine(missing).parseArgs("--images", tmp.resolve("absent").toString());
    String msg = org.junit.jupiter.api.Assertions.assertThrows(org.visualscratchpad.ScratchpadException.class,
        () -> missing.references(options)).getMessage();
    assertTrue(msg.contains("absent") && msg.contains("--images DIR"), msg);
  }
}
