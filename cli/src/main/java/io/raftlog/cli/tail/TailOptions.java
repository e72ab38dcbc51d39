package io.raftlog.cli.tail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * How {@code raftlog tail} follows its files, from its command line.
 *
 * @param stream where every file's records go
 * @param fromEnd whether a file with no state starts at its end (else at its beginning)
 * @param multiline the pattern of a line that starts an event, or null (one line, one record)
 * @param multilineTimeout how long the file must stay quiet before a grouped event is complete
 * @param maxRecordBytes longer lines and events are cut to this
 * @param batchBytes a batch holds about this much: the most read ahead per file
 * @param stateDir where state files go, or null for beside each file
 * @param poll how often a file at its end is looked at again
 */
public record TailOptions(
    String stream,
    boolean fromEnd,
    Pattern multiline,
    Duration multilineTimeout,
    int maxRecordBytes,
    int batchBytes,
    Path stateDir,
    Duration poll) {}
