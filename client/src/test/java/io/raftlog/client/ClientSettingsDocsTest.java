package io.raftlog.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * README's client settings table says what {@link ClientSettings} declares: the same settings, in
 * the same order, with the same defaults and meanings, so no setting is documented in one place and
 * forgotten in another.
 */
class ClientSettingsDocsTest {
  private static final Path README = Path.of("..", "README.md").toAbsolutePath().normalize();
  private static final String HEADER = "| builder setting | default | meaning |";

  @Test
  void readmeClientSettingsTableIsTheDeclaredSettings() throws IOException {
    String declared =
        ClientSettings.ALL.stream()
            .map(s -> String.join(" | ", "| `" + s.call() + "`", s.defaultText(), s.doc() + " |"))
            .collect(Collectors.joining("\n"));
    assertEquals(declared, String.join("\n", readmeTableRows()));
  }

  @Test
  void aBuilderThatSetsNothingGivesEveryDeclaredDefault() {
    ClientOptions options = ClientOptions.defaults();
    for (ClientSetting<?> s : ClientSettings.ALL) {
      assertEquals(s.defaultValue(), options.get(s), s.call());
    }
  }

  @Test
  void aRefusedValueFailsAtTheBuilderSayingWhy() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> RaftlogClient.builder().deadline(Duration.ZERO));
    assertEquals("deadline must be positive, got PT0S", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> RaftlogClient.builder().maxInFlight(6));
    assertEquals("max in-flight batches must be 1 to 5, got 6", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> RaftlogClient.builder().servers(" , "));
  }

  /** The rows of the table under {@link #HEADER}, header and rule left out. */
  private static List<String> readmeTableRows() throws IOException {
    List<String> lines = Files.readAllLines(README);
    int header = lines.indexOf(HEADER);
    assertTrue(header >= 0, "README has the client settings table");
    List<String> rows = new ArrayList<>();
    for (String line : lines.subList(header + 2, lines.size())) {
      if (!line.startsWith("|")) {
        break;
      }
      rows.add(line);
    }
    return rows;
  }
}
