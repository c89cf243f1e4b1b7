package org.visualscratchpad.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.visualscratchpad.sae.format.SaeLoader;
import org.visualscratchpad.torch.parity.FixtureParity;
import org.visualscratchpad.torch.parity.ParityCheck;
import org.visualscratchpad.torch.parity.ParityReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vsp parity DIR [--manifest FILE]}: recomputes every reference output of one fixture folder
 * of the hf-reference layout and compares it with the fixtures' tolerances; one line per tensor,
 * then {@code N passed, M failed}; exit code 1 on any failure.
 */
@Command(name = "parity", mixinStandardHelpOptions = true,
    description = "Check a fixture folder (hf-reference layout) against the outputs Hugging Face transformers computed.")
public final class ParityCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "fixture folder: config.json, weights, inputs/outputs.safetensors")
  Path folder;

  @Option(names = "--manifest", paramLabel = "FILE", description = "manifest.json describing the folder (default: ../manifest.json beside it)")
  Path manifest;

  @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "cpu",
      description = "engine for LLaVA folders: cpu (the project's CPU engine, default) or torch:cpu (libtorch)")
  String device;

  @Option(names = "--dtype", paramLabel = "DTYPE", defaultValue = "auto",
      description = "how the cpu engine holds the weights: auto (as stored), f32, bf16 or f16 (half precision widens "
          + "the float tolerances; tokens stay exact)")
  String dtype;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    ParityReport report = FixtureParity.check(folder, manifest, SaeLoader::load, device, dtype);
    for (ParityCheck c : report.checks()) {
      out.println(c.line());
    }
    out.println(report.summary());
    out.flush();
    return report.failed() == 0 ? 0 : 1;
  }
}
