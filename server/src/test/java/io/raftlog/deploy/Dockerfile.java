package io.raftlog.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The repository's Dockerfile as instructions (comments dropped, continued lines joined): just
 * enough of the format to check what the tests rely on. Not a general parser (no heredocs, no
 * variables).
 */
record Dockerfile(List<Instruction> instructions) {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** One instruction: its keyword, upper case, and its arguments as written. */
  record Instruction(String keyword, String args) {
    List<String> words() {
      return List.of(args.trim().split("\\s+"));
    }
  }

  static Dockerfile read() throws IOException {
    return parse(Files.readString(ROOT.resolve("Dockerfile")));
  }

  static Dockerfile parse(String text) {
    List<Instruction> out = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String raw : text.split("\n", -1)) {
      String l = raw.strip();
      if (l.startsWith("#") || (l.isEmpty() && line.isEmpty())) {
        continue; // a comment (also inside a continued instruction), or a blank line
      }
      boolean continued = l.endsWith("\\");
      line.append(continued ? l.substring(0, l.length() - 1) : l).append(' ');
      if (!continued) {
        String whole = line.toString().strip();
        line.setLength(0);
        if (!whole.isEmpty()) {
          int space = whole.indexOf(' ');
          out.add(
              space < 0
                  ? new Instruction(whole.toUpperCase(), "")
                  : new Instruction(
                      whole.substring(0, space).toUpperCase(), whole.substring(space + 1)));
        }
      }
    }
    return new Dockerfile(List.copyOf(out));
  }

  List<Instruction> all(String keyword) {
    return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
  }

  /** The instructions of the last stage (after its FROM): what the image is made of at run time. */
  List<Instruction> finalStage() {
    int from = instructions.lastIndexOf(all("FROM").get(all("FROM").size() - 1));
    return instructions.subList(from, instructions.size());
  }

  /** The numeric uid the final stage's USER runs as (USER uid or uid:gid). */
  int uid() {
    List<Instruction> users =
        finalStage().stream().filter(i -> i.keyword().equals("USER")).toList();
    if (users.isEmpty()) {
      throw new AssertionError("the final stage has no USER: the image would run as root");
    }
    String user = users.get(users.size() - 1).args().trim().split(":")[0];
    if (!user.matches("[0-9]+")) {
      // Kubernetes' runAsNonRoot can only verify a numeric user.
      throw new AssertionError("USER " + user + " is not numeric");
    }
    return Integer.parseInt(user);
  }

  String volume() {
    List<Instruction> volumes = all("VOLUME");
    if (volumes.size() != 1) {
      throw new AssertionError("expected one VOLUME, found " + volumes);
    }
    return volumes.get(0).args().trim();
  }

  List<Integer> exposed() {
    return all("EXPOSE").stream()
        .flatMap(i -> i.words().stream())
        .map(p -> Integer.parseInt(p.replace("/tcp", "")))
        .toList();
  }

  /** The destination of the final stage's COPY whose sources end in {@code source}, or null. */
  String copyDestination(String source) {
    for (Instruction i : finalStage()) {
      List<String> w = i.words();
      if (i.keyword().equals("COPY") && w.size() >= 2) {
        for (String s : w.subList(0, w.size() - 1)) {
          if (!s.startsWith("--") && s.endsWith(source)) {
            return w.get(w.size() - 1);
          }
        }
      }
    }
    return null;
  }
}
