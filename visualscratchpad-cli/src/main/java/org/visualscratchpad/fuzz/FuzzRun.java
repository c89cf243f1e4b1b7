package org.visualscratchpad.fuzz;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The long fuzzing run: {@code java ... org.visualscratchpad.fuzz.FuzzRun [CASES] [SEED]
 * [TARGET...]} from the repository root (default 1,000,000 cases a target, seed 20261206, every
 * target); one line per target with what each input got. Exit code 1 if any case failed.
 * {@code mvn -Pfuzz -pl visualscratchpad-cli -am verify} runs the same through {@code FuzzTest}.
 */
public final class FuzzRun {
  private FuzzRun() {}

  public static void main(String[] args) throws Exception {
    long cases = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 20261206L;
    List<String> names = args.length > 2 ? List.of(args).subList(2, args.length) : FuzzTargets.NAMES;
    Path work = Files.createTempDirectory("vsp-fuzz");
    boolean failed = false;
    for (String name : names) {
      try (FuzzTarget t = FuzzTargets.create(name, Path.of("."), work)) {
        Fuzzer.Report r = Fuzzer.run(t, cases, seed, Duration.ofSeconds(30), Path.of("target/fuzz-failures"));
        System.out.println(r);
        failed |= !r.failures().isEmpty();
      }
    }
    System.exit(failed ? 1 : 0);
  }
}
