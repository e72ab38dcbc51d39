package io.raftlog.cli;

import io.raftlog.api.v1.DeleteStreamResponse;
import io.raftlog.api.v1.ListStreamsResponse;
import io.raftlog.api.v1.StreamInfo;
import io.raftlog.client.RaftlogClient;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code raftlog streams create|list|describe|update|truncate|delete}: the cluster's streams. */
@Command(
    name = "streams",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Creates, lists, describes, updates, truncates and deletes streams; shows the busiest.",
      "",
      "A stream is a named, ordered log with its own offsets from 0, held by one shard (a Raft"
          + " group). A write to a stream that does not exist creates it (unless the nodes run"
          + " with streams.auto-create=false); 'streams create' also gives it settings."
    },
    subcommands = {
      StreamsCommand.Create.class,
      StreamsCommand.ListStreams.class,
      StreamsCommand.Describe.class,
      StreamsUpdateCommand.class,
      StreamsTruncateCommand.class,
      StreamsCommand.Delete.class,
      StreamsTopCommand.class
    })
public final class StreamsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  static String leader(StreamInfo s) {
    return s.getLeaderId().isEmpty() ? "-" : s.getLeaderId();
  }

  /** {@code raftlog streams create NAME [--setting k=v]...}. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description = {
        "Creates an empty stream, optionally with settings (ALREADY_EXISTS, exit code 4, if it"
            + " exists).",
        "",
        "Settings are stored with the stream and shown by 'streams describe': up to 32, keys of"
            + " 1 to 64 characters from a-z 0-9 . _ - (not starting 'raftlog.'), values up to"
            + " 1024 bytes.",
        "",
        "Retention drops the oldest records once any limit is passed, whichever first; a flag"
            + " left out takes the cluster's default (the nodes' retention.* keys; 0: keep all)."
      })
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ServerOptions server;

    @Parameters(
        index = "0",
        paramLabel = "NAME",
        converter = StreamNameConverter.class,
        description = "The stream's name: 1 to 255 characters from A-Z a-z 0-9 . _ : / -.")
    String name;

    @Option(
        names = "--setting",
        paramLabel = "KEY=VALUE",
        mapFallbackValue = "",
        description = "A setting of the stream; repeat for more.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Mixin RetentionOptions retention;

    @Override
    public Integer call() {
      StreamInfo s;
      try (RaftlogClient client = server.connect()) {
        s = client.createStream(name, settings, retention.retention());
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          "created stream '"
              + s.getName()
              + "' in shard "
              + s.getShard()
              + " (leader "
              + leader(s)
              + "), retention "
              + RetentionOptions.text(s.getRetention()));
      Failures.flush(out);
      return 0;
    }
  }

  /** {@code raftlog streams list [--prefix P] [--page-size N]}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description = {
        "Lists the streams in name order: a table of each stream's name, shard, shard leader,"
            + " first offset, next offset (one past its last record), the bytes its records take"
            + " and its retention.",
        "",
        "Pages through all of them, --page-size streams per call. The stream 'default' is"
            + " listed once it has been written to."
      })
  static final class ListStreams implements Callable<Integer> {
    static final String[] COLUMNS = {
      "NAME", "SHARD", "LEADER", "FIRST OFFSET", "NEXT OFFSET", "STORED", "RETENTION"
    };

    @Spec CommandSpec spec;

    @Mixin ServerOptions server;

    @Option(
        names = "--prefix",
        paramLabel = "P",
        defaultValue = "",
        description = "Only streams whose name starts with P.")
    String prefix;

    @Option(
        names = "--page-size",
        paramLabel = "N",
        defaultValue = "100",
        description = "Streams per call, 1 to 1000 (default: ${DEFAULT-VALUE}).")
    int pageSize;

    @Override
    public Integer call() {
      if (pageSize < 1 || pageSize > 1000) {
        throw new ParameterException(
            spec.commandLine(), "--page-size must be 1 to 1000, got " + pageSize);
      }
      List<String[]> rows = new ArrayList<>();
      rows.add(COLUMNS);
      try (RaftlogClient client = server.connect()) {
        String token = "";
        do {
          ListStreamsResponse page = client.listStreams(prefix, pageSize, token);
          for (StreamInfo s : page.getStreamsList()) {
            rows.add(
                new String[] {
                  s.getName(),
                  Integer.toUnsignedString(s.getShard()),
                  leader(s),
                  Long.toUnsignedString(s.getFirstOffset()),
                  Long.toUnsignedString(s.getNextOffset()),
                  Units.bytes(s.getStoredBytes()),
                  RetentionOptions.text(s.getRetention())
                });
          }
          token = page.getNextPageToken();
        } while (!token.isEmpty());
      }
      PrintWriter out = spec.commandLine().getOut();
      ClusterCommand.printTable(out, rows);
      Failures.flush(out);
      return 0;
    }
  }

  /** {@code raftlog streams describe NAME}. */
  @Command(
      name = "describe",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description =
          "Shows a stream: its shard, the shard's leader and replicas, its first and next offset,"
              + " the bytes its records take, its retention, when it was created and its settings"
              + " (NOT_FOUND, exit code 4, if it does not exist).")
  static final class Describe implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ServerOptions server;

    @Parameters(
        index = "0",
        paramLabel = "NAME",
        converter = StreamNameConverter.class,
        description = "The stream.")
    String name;

    @Override
    public Integer call() {
      StreamInfo s;
      try (RaftlogClient client = server.connect()) {
        s = client.describeStream(name);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println("name:          " + s.getName());
      out.println("shard:         " + Integer.toUnsignedString(s.getShard()));
      out.println("leader:        " + leader(s));
      out.println("replicas:      " + String.join(", ", s.getReplicasList()));
      out.println("first offset:  " + Long.toUnsignedString(s.getFirstOffset()));
      out.println("next offset:   " + Long.toUnsignedString(s.getNextOffset()));
      out.println("stored:        " + Units.bytes(s.getStoredBytes()));
      out.println("retention:     " + RetentionOptions.text(s.getRetention()));
      out.println(
          "created:       "
              + (s.getCreatedMs() > 0 ? Instant.ofEpochMilli(s.getCreatedMs()).toString() : "-"));
      if (s.getSettingsMap().isEmpty()) {
        out.println("settings:      none");
      } else {
        out.println("settings:");
        for (Map.Entry<String, String> e : new TreeMap<>(s.getSettingsMap()).entrySet()) {
          out.println("  " + e.getKey() + "=" + e.getValue());
        }
      }
      Failures.flush(out);
      return 0;
    }
  }

  /** {@code raftlog streams delete NAME}. */
  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description =
          "Deletes a stream with its records and settings (NOT_FOUND, exit code 4, if it does"
              + " not exist). A later write to the name starts a new stream at offset 0.")
  static final class Delete implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ServerOptions server;

    @Parameters(
        index = "0",
        paramLabel = "NAME",
        converter = StreamNameConverter.class,
        description = "The stream.")
    String name;

    @Override
    public Integer call() {
      DeleteStreamResponse r;
      try (RaftlogClient client = server.connect()) {
        r = client.deleteStream(name);
      }
      PrintWriter out = spec.commandLine().getOut();
      long n = r.getNextOffset();
      out.println(
          "deleted stream '"
              + name
              + "' ("
              + Long.toUnsignedString(n)
              + (n == 1 ? " record" : " records")
              + " ever appended)");
      Failures.flush(out);
      return 0;
    }
  }
}
