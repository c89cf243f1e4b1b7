package org.visualscratchpad.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServeCommandTest {

  @Test
  void serve_is_registered_and_documents_its_options() {
    String usage = new CommandLine(new Vsp()).getSubcommands().get("serve").getUsageMessage();
    for (String opt : new String[] {"--model", "--sae", "--stats", "--port", "--host", "--open"}) {
      assertTrue(usage.contains(opt), usage);
    }
  }

  @Test
  void serve_without_a_model_explains_what_to_pass_and_exits_with_2() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine cl = new CommandLine(new Vsp());
    cl.setExecutionExceptionHandler(new Vsp.Errors());
    cl.setErr(new java.io.PrintWriter(new PrintStream(err, true, StandardCharsets.UTF_8), true));
    assertEquals(2, cl.execute("serve", "--port", "0"));
    String msg = err.toString(StandardCharsets.UTF_8);
    assertTrue(msg.contains("--model DIR and --sae DIR"), msg);
  }
}
