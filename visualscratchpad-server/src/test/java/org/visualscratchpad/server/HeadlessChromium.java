package org.visualscratchpad.server;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Debian's Chromium driven by Playwright for the browser tests (no browser download): launched once per
 * test class, skipped with an assumption when the executable is absent. Screenshots go to
 * {@link #SHOTS}.
 */
final class HeadlessChromium implements AutoCloseable {
  static final Path EXECUTABLE = Path.of("/usr/bin/chromium");
  static final Path SHOTS = Path.of("target", "screenshots");

  private final Playwright playwright;
  private final Browser browser;

  private HeadlessChromium(Playwright playwright, Browser browser) {
    this.playwright = playwright;
    this.browser = browser;
  }

  /** Launches the browser, or skips the calling test class when Chromium is not installed. */
  static HeadlessChromium launch() throws IOException {
    assumeTrue(Files.isExecutable(EXECUTABLE), "browser tests skipped: " + EXECUTABLE
        + " is absent (install it with: apt-get install -y chromium)");
    Files.createDirectories(SHOTS);
    Playwright playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    try {
      Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(EXECUTABLE).setHeadless(true)
          .setArgs(List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run")));
      return new HeadlessChromium(playwright, browser);
    } catch (RuntimeException e) {
      playwright.close();
      throw e;
    }
  }

  /**
   * A new browser context of {@code width x height}. The page's Content-Security-Policy forbids eval,
   * which Playwright's {@code waitForFunction} needs: tests that poll with it bypass the policy
   * ({@code keepCsp} false), the others keep it and poll with locators.
   */
  BrowserContext newContext(int width, int height, boolean keepCsp) {
    return browser.newContext(new Browser.NewContextOptions().setViewportSize(width, height).setBypassCSP(!keepCsp));
  }

  /** A page in {@code context} whose console errors and uncaught page errors are added to {@code errors}. */
  static Page newPage(BrowserContext context, List<String> errors) {
    Page page = context.newPage();
    page.onConsoleMessage(m -> {
      if (m.type().equals("error")) {
        errors.add(m.text());
      }
    });
    page.onPageError(e -> errors.add("page error: " + e));
    return page;
  }

  /** Closes {@code resources} (nulls skipped), then the browser. */
  static void closeAll(HeadlessChromium chromium, AutoCloseable... resources) throws Exception {
    if (chromium != null) {
      chromium.close();
    }
    for (AutoCloseable r : resources) {
      if (r != null) {
        r.close();
      }
    }
  }

  @Override
  public void close() {
    browser.close();
    playwright.close();
  }
}
