package io.raftlog.cli;

import io.raftlog.api.v1.ConsumerInfo;
import io.raftlog.api.v1.DeleteConsumerResponse;
import io.raftlog.client.RaftlogClient;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code raftlog consumers list|describe|delete|commit}: a stream's named consumers. */
@Command(
    name = "consumers",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Lists, describes, deletes and moves the named consumers of a stream.",
      "",
      "A named consumer is a position in a stream kept by the cluster: the offset of the next"
          + " record it will read, stored by its commits ('raftlog consume --consumer NAME', the"
          + " Java client's SubscribeOptions.consumer). Its lag is the stream's next offset minus"
          + " that offset."
    },
    subcommands = {
      ConsumersCommand.ListConsumers.class,
      ConsumersCommand.Describe.class,
      ConsumersCommand.Delete.class,
      ConsumersCommand.Commit.class
    })
public final class ConsumersCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  static String time(long ms) {
    return ms > 0 ? Instant.ofEpochMilli(ms).toString() : "-";
  }

  /** {@code raftlog consumers list STREAM}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description =
          "Lists a stream's consumers in name order: a table of each one's name, committed offset,"
              + " lag and last commit time.")
  static final class ListConsumers implements Callable<Integer> {
    static final String[] COLUMNS = {"NAME", "COMMITTED", "LAG", "LAST COMMIT"};

    @Spec CommandSpec spec;

    @Mixin ServerOptions server;

    @Parameters(
        index = "0",
        paramLabel = "STREAM",
        converter = StreamNameConverter.class,
        description = "The stream.")
    String stream;

    @Override
    public Integer call() {
      List<String[]> rows = new ArrayList<>();
      rows.add(COLUMNS);
      try (RaftlogClient client = server.connect()) {
        for (ConsumerInfo c : client.listConsumers(stream)) {
          rows.add(
              new String[] {
                c.getConsumer(),
                Long.toUnsignedString(c.getCommittedOffset()),
                Long.toUnsignedString(c.getLag()),
                time(c.getLastCommitMs())
              });
        }
      }
      PrintWriter out = spec.commandLine().getOut();
      ClusterCommand.printTable(out, rows);
      Failures.flush(out);
      return 0;
    }
  }

  /** {@code raftlog consumers describe STREAM NAME}. */
  @Command(
      name = "describe",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description =
          "Shows a consumer: its committed offset, lag, last commit time and the stream's first"
              + " and next offsets (NOT_FOUND, exit code 4, if it never committed).")
  static final class Describe implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ServerOptions server;

    @Mixin ConsumerRef consumer;

    @Override
    public Integer call() {
      ConsumerInfo c;
      try (RaftlogClient client = server.connect()) {
        c = client.getConsumer(consumer.stream, consumer.name);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println("stream:        " + c.getStream());
      out.println("consumer:      " + c.getConsumer());
      out.println("committed:     " + Long.toUnsignedString(c.getCommittedOffset()));
      out.println("lag:           " + Long.toUnsignedString(c.getLag()));
      out.println("last commit:   " + time(c.getLastCommitMs()));
      out.println("first offset:  " + Long.toUnsignedString(c.getFirstOffset()));
      out.println("next offset:   " + Long.toUnsignedString(c.getNextOffset()));
      Failures.flush(out);
      return 0;
    }
  }

  /** {@code raftlog consumers delete STREAM NAME}. */
  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description =
          "Forgets a consumer (NOT_FOUND, exit code 4, if the stream has none of that name); its"
              + " next run starts from its --from.")
  static final class Delete implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ServerOptions server;

    @Mixin ConsumerRef consumer;

    @Override
    public Integer call() {
      DeleteConsumerResponse r;
      try (RaftlogClient client = server.connect()) {
        r = client.deleteConsumer(consumer.stream, consumer.name);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          "deleted consumer '"
              + consumer.name
              + "' of stream '"
              + consumer.stream
              + "' (it had committed offset "
              + Long.toUnsignedString(r.getCommittedOffset())
              + ")");
      Failures.flush(out);
      return 0;
    }
  }

  /** {@code raftlog consumers commit STREAM NAME OFFSET [--force]}. */
  @Command(
      name = "commit",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description = {
        "Stores a consumer's position: OFFSET is the next record it will read (creates the"
            + " consumer if it has none).",
        "",
        "Below its committed offset it is refused (FAILED_PRECONDITION, exit code 4) unless"
            + " --force: a rewind is explicit. Stop the consumer's running instances first, or"
            + " their next commit moves it forward again. Past the stream's next offset it is"
            + " OUT_OF_RANGE."
      })
  static final class Commit implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ServerOptions server;

    @Mixin ConsumerRef consumer;

    @Parameters(index = "2", paramLabel = "OFFSET", description = "Its new position.")
    long offset;

    @Option(names = "--force", description = "Allow a rewind below the committed offset.")
    boolean force;

    @Override
    public Integer call() {
      if (offset < 0) {
        throw new ParameterException(spec.commandLine(), "OFFSET must be >= 0, got " + offset);
      }
      ConsumerInfo c;
      try (RaftlogClient client = server.connect()) {
        c = client.commitOffset(consumer.stream, consumer.name, offset, force);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          "consumer '"
              + consumer.name
              + "' of stream '"
              + consumer.stream
              + "' committed offset "
              + Long.toUnsignedString(c.getCommittedOffset())
              + " (lag "
              + Long.toUnsignedString(c.getLag())
              + ")");
      Failures.flush(out);
      return 0;
    }
  }

  /** The STREAM and NAME every command on one consumer starts with. */
  static final class ConsumerRef {
    @Parameters(
        index = "0",
        paramLabel = "STREAM",
        converter = StreamNameConverter.class,
        description = "The stream.")
    String stream;

    @Parameters(
        index = "1",
        paramLabel = "NAME",
        converter = ConsumerNameConverter.class,
        description = "The consumer.")
    String name;
  }
}
