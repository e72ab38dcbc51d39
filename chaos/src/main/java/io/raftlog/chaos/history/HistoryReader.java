package io.raftlog.chaos.history;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads a history file one {@link Op} at a time (Jackson's streaming parser: memory does not grow
 * with the file). Used by one thread, the checker's; {@link #forEach} may be called again for
 * another pass over the same file.
 */
public final class HistoryReader {
  private final Path file;

  public HistoryReader(Path file) {
    this.file = file;
  }

  /** What to do with each op, in file order. */
  @FunctionalInterface
  public interface Visitor {
    void visit(Op op, long line) throws HistoryFormatException;
  }

  /**
   * Hands every op of the file to {@code visitor}, in order; the number of ops.
   *
   * @throws HistoryFormatException naming the line, if the file is not JSON lines of ops
   */
  public long forEach(Visitor visitor) throws IOException, HistoryFormatException {
    long n = 0;
    try (InputStream in = Files.newInputStream(file);
        JsonParser p = HistoryWriter.JSON.createParser(in)) {
      JsonToken t;
      while (true) {
        try {
          t = p.nextToken();
        } catch (JsonProcessingException e) {
          throw bad(p, "not JSON: " + e.getOriginalMessage());
        }
        if (t == null) {
          return n;
        }
        if (t != JsonToken.START_OBJECT) {
          throw bad(p, "expected a JSON object, found " + t);
        }
        long line = p.currentTokenLocation().getLineNr();
        Op op;
        try {
          op = readOp(p);
        } catch (JsonProcessingException e) {
          throw bad(p, "not JSON: " + e.getOriginalMessage());
        }
        visitor.visit(op, line);
        n++;
      }
    }
  }

  private HistoryFormatException bad(JsonParser p, String why) {
    return new HistoryFormatException(
        file + " line " + p.currentLocation().getLineNr() + ": " + why);
  }

  private Op readOp(JsonParser p) throws IOException, HistoryFormatException {
    long id = -1;
    Op.Type type = null;
    Op.F f = null;
    long time = -1;
    long offset = -1;
    int max = 0;
    String node = null;
    String stream = null;
    String consumer = null;
    String value = null;
    String code = null;
    String error = null;
    long[] offsets = null;
    List<String> values = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "id" -> id = number(p, name);
        case "type" -> type = enumOf(Op.Type.class, p, name);
        case "f" -> f = enumOf(Op.F.class, p, name);
        case "time" -> time = number(p, name);
        case "offset" -> offset = number(p, name);
        case "max" -> max = (int) number(p, name);
        case "node" -> node = text(p, name);
        case "stream" -> stream = text(p, name);
        case "consumer" -> consumer = text(p, name);
        case "value" -> value = text(p, name);
        case "code" -> code = text(p, name);
        case "error" -> error = text(p, name);
        case "offsets" -> offsets = longs(p, name);
        case "values" -> values = texts(p, name);
        default -> p.skipChildren(); // a field a later writer added
      }
      if (v == null) {
        break;
      }
    }
    if (p.currentToken() != JsonToken.END_OBJECT) {
      throw bad(p, "the object is cut off");
    }
    if (id < 0 || type == null || f == null || time < 0 || stream == null) {
      throw bad(p, "an op needs id, type, f, time and stream");
    }
    boolean needsValue =
        (f == Op.F.APPEND && type == Op.Type.INVOKE) || (f == Op.F.SUBSCRIBE && type == Op.Type.OK);
    if (needsValue && value == null) {
      throw bad(p, f.json() + " " + type.json() + " op " + id + " has no value");
    }
    boolean needsOffset =
        (f == Op.F.APPEND && type == Op.Type.OK)
            || ((f == Op.F.READ || f == Op.F.SUBSCRIBE)
                && (type == Op.Type.INVOKE || (f == Op.F.SUBSCRIBE && type == Op.Type.OK)));
    if (needsOffset && offset < 0) {
      throw bad(p, f.json() + " " + type.json() + " op " + id + " has no offset");
    }
    boolean needsRecords =
        (f == Op.F.READ && type == Op.Type.OK) || (f == Op.F.FINAL && consumer == null);
    if (needsRecords && (offsets == null || values == null || offsets.length != values.size())) {
      throw bad(p, f.json() + " op " + id + " needs offsets and values of the same length");
    }
    if (f == Op.F.READ && type == Op.Type.INVOKE && max <= 0) {
      throw bad(p, "read invoke op " + id + " has no max");
    }
    if ((f == Op.F.COMMIT || f == Op.F.POSITION) && consumer == null) {
      throw bad(p, f.json() + " op " + id + " names no consumer");
    }
    boolean offsetSaid =
        ((f == Op.F.TRUNCATE || f == Op.F.COMMIT) && (type == Op.Type.INVOKE || type == Op.Type.OK))
            || (f == Op.F.POSITION && type == Op.Type.OK);
    if (offsetSaid && offset < 0) {
      throw bad(p, f.json() + " " + type.json() + " op " + id + " has no offset");
    }
    return new Op(
        id, type, f, time, node, stream, consumer, offset, max, value, offsets, values, code,
        error);
  }

  private long number(JsonParser p, String name) throws IOException, HistoryFormatException {
    if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
      throw bad(p, "\"" + name + "\" must be an integer");
    }
    return p.getLongValue();
  }

  private String text(JsonParser p, String name) throws IOException, HistoryFormatException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw bad(p, "\"" + name + "\" must be a string");
    }
    return p.getText();
  }

  private <E extends Enum<E>> E enumOf(Class<E> type, JsonParser p, String name)
      throws IOException, HistoryFormatException {
    String s = text(p, name);
    try {
      return Enum.valueOf(type, s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw bad(
          p,
          "\""
              + name
              + "\" is "
              + s
              + "; expected one of "
              + Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT));
    }
  }

  private long[] longs(JsonParser p, String name) throws IOException, HistoryFormatException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw bad(p, "\"" + name + "\" must be an array of integers");
    }
    long[] out = new long[16];
    int n = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (n == out.length) {
        out = Arrays.copyOf(out, n * 2);
      }
      out[n++] = number(p, name);
    }
    return Arrays.copyOf(out, n);
  }

  private List<String> texts(JsonParser p, String name) throws IOException, HistoryFormatException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw bad(p, "\"" + name + "\" must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        throw bad(p, "\"" + name + "\" must be an array of strings");
      }
      out.add(p.getText());
    }
    return out;
  }
}
