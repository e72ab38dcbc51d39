package io.raftlog.logback;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a LogJson object back for tests: scalars as text, nested objects as maps. */
final class FlatJson {
  private FlatJson() {}

  private static final JsonFactory FACTORY = new JsonFactory();

  static Map<String, Object> parse(String json) throws IOException {
    try (JsonParser p = FACTORY.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not an object: " + json);
      }
      return object(p);
    }
  }

  private static Map<String, Object> object(JsonParser p) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      m.put(name, t == JsonToken.START_OBJECT ? object(p) : p.getText());
    }
    return m;
  }
}
