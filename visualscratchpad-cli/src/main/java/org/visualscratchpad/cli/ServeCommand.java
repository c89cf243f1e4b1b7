package org.visualscratchpad.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.samples.demo.ShippedDemo;
import org.visualscratchpad.server.ReferenceImages;
import org.visualscratchpad.server.ScratchpadServer;
import org.visualscratchpad.server.ServerOptions;
import org.visualscratchpad.scratchpad.LoadSpec;
import org.visualscratchpad.scratchpad.Scratchpad;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vsp serve}: loads a model and an SAE (by default the shipped ShapesWorld demo) and serves the interactive scratchpad page on
 * loopback until interrupted.
 *
 * <pre>
 *   bin/vsp serve --open                      # the shipped ShapesWorld demo model
 *   bin/vsp serve --model llava-1.5-7b-hf --sae sae-layer22 --stats stats --images val-images --open
 * </pre>
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve the interactive scratchpad page (inference, observation, steering, exploration) on this machine.")
public final class ServeCommand implements Callable<Integer> {

  @Option(names = "--model", paramLabel = "DIR",
      description = "Hugging Face model folder (config.json, safetensors, tokenizer); without --model and --sae, the shipped ShapesWorld demo.")
  Path model;

  @Option(names = "--sae", paramLabel = "DIR", description = "SAE folder (SAELens layout) or PatchSAE checkpoint file.")
  Path sae;

  @Option(names = "--stats", paramLabel = "DIR", description = "Latent statistics (drive the noisy filter and the exploration scatter).")
  Path stats;

  @Option(names = "--images", paramLabel = "DIR",
      description = "The image folder the statistics were computed on (vsp stats --images DIR): the latent page shows its top images from it. The demo's scenes are redrawn without it.")
  Path images;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu (default) or gpu / gpu:N.")
  String device;

  @Option(names = "--port", defaultValue = "8077", description = "TCP port (default ${DEFAULT-VALUE}; 0 = any free port).")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Address to bind (default ${DEFAULT-VALUE}, loopback only). Another address exposes the model to the network.")
  String host;

  @Option(names = "--open", description = "Open the page in the default browser.")
  boolean open;

  @Override
  public Integer call() throws InterruptedException {
    ServerOptions options = ServerOptions.defaults().withHost(host).withPort(port);
    LoadSpec spec = spec();
    System.out.println("vsp serve: loading " + spec.model() + " with SAE " + spec.sae()
        + spec.statisticsPath().map(p -> " and statistics " + p).orElse("") + " ...");
    Scratchpad pad = Scratchpad.load(spec);
    ScratchpadServer server;
    try {
      server = ScratchpadServer.start(pad, options, references(options));
    } catch (RuntimeException e) {
      pad.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      pad.close();
      stopped.countDown();
    }, "vsp-serve-shutdown"));
    System.out.println("vsp serve: the scratchpad page is at " + server.url() + "  (Ctrl-C stops it)");
    if (open) {
      openBrowser(server.url());
    }
    stopped.await();
    return 0;
  }

  /** The reference images of the latent page: the folder given, the demo's generated scenes, or none. */
  ReferenceImages references(ServerOptions options) {
    if (images != null) {
      return ReferenceImages.folder(images, options);
    }
    return model == null && sae == null && stats == null ? ReferenceImages.seeded(ShippedDemo.REFERENCE_SCENES, ShippedDemo::referenceScene) : ReferenceImages.none();
  }

  /**
   * What to load: {@code --model} and {@code --sae} (with {@code --stats} if given), or, with
   * neither, the shipped ShapesWorld demo model, SAE and statistics copied to a temporary folder.
   */
  LoadSpec spec() {
    if (model == null && sae == null) {
      try {
        ShippedDemo.Folders demo = ShippedDemo.extract(Files.createTempDirectory("vsp-serve-demo"));
        System.out.println("vsp serve: no --model/--sae given, so serving the shipped ShapesWorld demo model");
        return new LoadSpec(demo.model(), demo.sae(), stats == null ? demo.stats() : stats, device);
      } catch (IOException e) {
        throw new ScratchpadException("cannot make a temporary folder for the demo model: " + e.getMessage(), e);
      }
    }
    if (model == null || sae == null) {
      throw new ScratchpadException("vsp serve needs both --model DIR and --sae DIR, or neither for the shipped "
          + "ShapesWorld demo. Example: vsp serve --model llava-1.5-7b-hf --sae sae-layer22 --stats stats");
    }
    return new LoadSpec(model, sae, stats, device);
  }

  private static void openBrowser(String url) {
    try {
      if (java.awt.Desktop.isDesktopSupported() && java.awt.Desktop.getDesktop().isSupported(java.awt.Desktop.Action.BROWSE)) {
        java.awt.Desktop.getDesktop().browse(URI.create(url));
        return;
      }
      new ProcessBuilder("xdg-open", url).inheritIO().start();
    } catch (Exception e) {
      System.out.println("vsp serve: could not open a browser (" + e.getMessage() + "); open " + url + " yourself.");
    }
  }
}
