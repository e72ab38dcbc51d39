package io.raftlog.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftlog.testkit.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The alert rules (deploy/monitoring/alerts.yml) as Prometheus's own tool judges them: {@code
 * promtool check rules} accepts them, {@code promtool test rules} runs alerts_test.yml (each alert
 * fed series that must fire it and series that must not), and {@code promtool check config} accepts
 * prometheus.yml with the rules it loads. Besides: every alert is tested firing, and says what to
 * do in a section of docs/monitoring.md that exists.
 *
 * <p>promtool comes with Debian's prometheus package; without it the promtool tests are skipped,
 * saying so, except under {@code CI=true}, where they fail.
 */
class AlertRulesTest {
  private static String promtool(String... args) throws IOException {
    Monitoring.requireTool("promtool");
    List<String> command = new java.util.ArrayList<>(List.of("promtool"));
    command.addAll(List.of(args));
    return Commands.run(Duration.ofSeconds(60), command).orThrow();
  }

  @Test
  void promtoolChecksTheRules() throws IOException {
    String out = promtool("check", "rules", "" + Monitoring.ALERTS);
    assertTrue(out.contains("SUCCESS"), out);
  }

  @Test
  void promtoolTestsEveryAlertFiringAndNot() throws IOException {
    String out = promtool("test", "rules", "" + Monitoring.ALERTS_TEST);
    assertTrue(out.contains("SUCCESS"), out);
  }

  @Test
  void promtoolChecksTheConfigAndTheRulesItLoads() throws IOException {
    String out = promtool("check", "config", "" + Monitoring.PROMETHEUS_YML);
    assertTrue(out.contains("1 rule files found"), "prometheus.yml loads alerts.yml: " + out);
  }

  @Test
  void everyAlertHasATestThatExpectsItToFire() throws IOException {
    Set<String> fired = new TreeSet<>();
    Object doc = new Yaml().loadAll(Files.readString(Monitoring.ALERTS_TEST)).iterator().next();
    for (Object test : Yaml.list(doc, "tests")) {
      for (Object check : Yaml.list(test, "alert_rule_test")) {
        if (!Yaml.list(check, "exp_alerts").isEmpty()) {
          fired.add(Yaml.str(check, "alertname"));
        }
      }
    }
    assertEquals(new TreeSet<>(Monitoring.alertExpressions().keySet()), fired);
  }

  @Test
  void everyAlertSaysWhatToDoInASectionOfTheDocs() throws IOException {
    String docs = Files.readString(Dockerfile.ROOT.resolve("docs/monitoring.md"));
    Object doc = new Yaml().loadAll(Files.readString(Monitoring.ALERTS)).iterator().next();
    for (Object group : Yaml.list(doc, "groups")) {
      for (Object rule : Yaml.list(group, "rules")) {
        String alert = Yaml.str(rule, "alert");
        String severity = Yaml.str(rule, "labels", "severity");
        assertTrue(Set.of("critical", "warning").contains(severity), alert + ": " + severity);
        assertFalse(("" + Yaml.str(rule, "annotations", "summary")).isBlank(), alert);
        String description = "" + Yaml.str(rule, "annotations", "description");
        String link = "docs/monitoring.md#" + alert.toLowerCase(Locale.ROOT);
        assertTrue(description.contains(link), alert + "'s description links " + link);
        assertTrue(docs.contains("\n### " + alert + "\n"), "docs/monitoring.md has ### " + alert);
      }
    }
  }
}
