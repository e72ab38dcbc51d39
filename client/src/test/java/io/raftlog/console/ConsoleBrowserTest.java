package io.raftlog.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.Record;
import io.raftlog.client.RaftlogClient;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.ClusterLayout;
import io.raftlog.testkit.InProcessCluster;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser (headless Chromium driven by Selenium) against three real
 * nodes: the shards table with a leader for each shard, a stream found by prefix and opened, its
 * newest records, records produced through the client appearing in the live tail, and a shard's new
 * leader shown after its leader node crashes.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver}; without them it is skipped,
 * except under {@code CI=true}, where it fails. {@code -Dconsole.screenshot=PATH} saves a PNG of
 * the Nodes and shards page (the README's docs/images/console.png).
 */
class ConsoleBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final String STREAM = "console-test/orders";
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  @Test
  void operatorFollowsAStreamAndSeesAShardLeaderChange() throws Exception {
    requireBrowser();
    try (InProcessCluster<RaftlogServer> cluster =
            InProcessCluster.start(
                dir.resolve("nodes"),
                3,
                Map.of("cluster.shards", "3", "http.port", ClusterLayout.HTTP_PORT_FREE),
                RaftlogServer::start);
        RaftlogClient client = RaftlogClient.builder().servers(cluster.clientAddresses()).build()) {
      client.createStream(STREAM, Map.of("owner", "browser-test"));
      client.produce(STREAM, List.of(record("before-0"), record("before-1"), record("before-2")));
      client.produce("elsewhere/audit", List.of(record("not this one")));
      // The console of a node that outlives the crash below (it stops another node).
      String consoleNode = cluster.ids().get(0);
      WebDriver browser = browser(dir.resolve("chromium-profile"));
      try {
        browser.get("http://" + cluster.node(consoleNode).httpAddress() + "/#/");
        WebDriverWait wait = waiter(browser, WAIT);

        // Nodes and shards: a row per shard (and the meta group), each with a leader.
        wait.until(
            b -> {
              List<WebElement> leaders = b.findElements(By.cssSelector("#shards td.leader"));
              return leaders.size() == 3 + 1
                  && leaders.stream().allMatch(e -> e.getText().matches("[0-9]+"));
            });
        assertEquals(3, browser.findElements(By.cssSelector("#nodes tbody tr")).size());
        screenshotIfAsked(browser, client);

        // Streams: search by prefix, open the stream.
        browser.findElement(By.id("nav-streams")).click();
        WebElement prefix = wait.until(b -> b.findElement(By.id("prefix")));
        prefix.sendKeys("console-test/");
        browser.findElement(By.id("search")).click();
        wait.until(
            b ->
                b.findElements(By.cssSelector("#streams tr[data-stream='" + STREAM + "']")).size()
                    == 1);
        assertTrue(
            browser
                .findElements(By.cssSelector("#streams tr[data-stream^='elsewhere']"))
                .isEmpty());
        browser.findElement(By.cssSelector("#streams a.stream-link")).click();
        wait.until(
            b -> b.findElement(By.id("stream-info")).getText().contains("owner=browser-test"));

        // Its newest records, newest first.
        browser.findElement(By.id("read-newest")).click();
        wait.until(b -> b.findElements(By.cssSelector("#records tbody tr")).size() == 3);
        assertEquals(
            "2",
            browser.findElement(By.cssSelector("#records tbody tr")).getAttribute("data-offset"));
        assertTrue(browser.findElement(By.id("records")).getText().contains("before-0"));
        browser.findElement(By.id("hex-toggle")).click();
        wait.until(
            b ->
                b.findElement(By.id("records"))
                    .getText()
                    .contains("62 65 66 6f 72 65 2d 30")); // "before-0"
        browser.findElement(By.id("hex-toggle")).click();

        // The live tail shows records as they are produced.
        browser.findElement(By.id("tail-toggle")).click();
        wait.until(b -> b.findElement(By.id("tail-status")).getText().startsWith("following"));
        client.produce(STREAM, List.of(record("live-0"), record("live-1")));
        client.produce(STREAM, List.of(record("live-2 <b>not markup</b>")));
        wait.until(b -> b.findElement(By.id("tail")).getText().contains("live-2"));
        String tail = browser.findElement(By.id("tail")).getText();
        assertTrue(tail.contains("live-0") && tail.contains("live-1"), tail);
        // A value is text in the page, never markup.
        assertTrue(tail.contains("live-2 <b>not markup</b>"), tail);
        assertTrue(browser.findElements(By.cssSelector("#tail b")).isEmpty());

        // Top streams: the stream just written is among the busiest.
        browser.findElement(By.id("nav-top")).click();
        wait.until(
            b ->
                b.findElements(By.cssSelector("#top tr[data-stream='" + STREAM + "']")).size()
                    == 1);
        assertFalse(tail.contains("before-2"), "the tail starts at the stream's end: " + tail);

        // Back to the shards: a shard changes leader when its leader node crashes (one that is
        // not the console's node; the leaders are balanced by now, one shard per node).
        browser.findElement(By.id("nav-overview")).click();
        Map<Integer, String> leaders = cluster.awaitShardLeaders();
        int victimShard =
            leaders.entrySet().stream()
                .filter(e -> !e.getValue().equals(consoleNode))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElseThrow();
        String victim = leaders.get(victimShard);
        By shardLeader = By.cssSelector("#shards tr[data-shard='" + victimShard + "'] td.leader");
        wait.until(b -> b.findElement(shardLeader).getText().equals(victim));
        cluster.stopNode(victim);
        String next =
            waiter(browser, Duration.ofSeconds(30))
                .until(
                    b -> {
                      String now = b.findElement(shardLeader).getText();
                      return now.matches("[0-9]+") && !now.equals(victim) ? now : null;
                    });
        assertTrue(cluster.node(next) != null, "the new leader " + next + " runs");
        wait.until(
            b ->
                b.findElement(By.cssSelector("#nodes tr[data-node='" + victim + "'] td.health"))
                    .getText()
                    .contains("unreachable"));
      } catch (RuntimeException | Error e) {
        // What the page showed when it failed, for whoever reads the report.
        Path shot = Path.of("target", "console-browser-failure.png").toAbsolutePath();
        Files.copy(
            ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath(),
            shot,
            StandardCopyOption.REPLACE_EXISTING);
        e.addSuppressed(
            new AssertionError(
                "the page then (screenshot "
                    + shot
                    + "):\n"
                    + browser.findElement(By.tagName("body")).getText()));
        throw e;
      } finally {
        browser.quit();
      }
    }
  }

  private static Record record(String value) {
    return Record.newBuilder().setValue(ByteString.copyFromUtf8(value)).build();
  }

  private static void requireBrowser() {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    String how =
        "ConsoleBrowserTest needs "
            + CHROMIUM
            + " and "
            + CHROMEDRIVER
            + ": apt-get install chromium chromium-driver";
    if (!present && "true".equals(System.getenv("CI"))) {
      fail(how + " (CI=true: the browser test must run)");
    }
    assumeTrue(present, how);
  }

  /**
   * Headless Chromium as root: no sandbox, a fresh profile, and no background connections (the
   * machine's network is closed to all but loopback).
   */
  private static WebDriver browser(Path profile) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1500,1000",
        "--user-data-dir=" + profile.toAbsolutePath());
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }

  /** A wait that re-finds elements the page replaced meanwhile (it redraws every 2 s). */
  private static WebDriverWait waiter(WebDriver browser, Duration timeout) {
    WebDriverWait wait = new WebDriverWait(browser, timeout);
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  /**
   * With -Dconsole.screenshot=PATH: some traffic first, so the rate charts have a few points, then
   * a PNG of the page.
   */
  private static void screenshotIfAsked(WebDriver browser, RaftlogClient client) throws Exception {
    String path = System.getProperty("console.screenshot");
    if (path == null || path.isEmpty()) {
      return;
    }
    for (int i = 0; i < 24; i++) {
      client.produce("warm-up", List.of(record("warm-up " + i), record("warm-up " + i + "b")));
      client.consume("warm-up", 0, 100);
      Thread.sleep(500);
    }
    File png = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE);
    Path target = Path.of(path).toAbsolutePath();
    Files.createDirectories(target.getParent());
    Files.copy(png.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
  }
}
