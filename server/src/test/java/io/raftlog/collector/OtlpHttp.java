package io.raftlog.collector;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;

/** POSTs to a node's {@code /v1/logs} as an OTLP/HTTP exporter would, with java.net.http. */
final class OtlpHttp {
  static final String PROTOBUF = "application/x-protobuf";
  static final String JSON = "application/json";

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private OtlpHttp() {}

  static HttpResponse<byte[]> post(String httpAddress, String contentType, byte[] body)
      throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(URI.create("http://" + httpAddress + "/v1/logs"))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  static HttpResponse<byte[]> postJson(String httpAddress, String json)
      throws IOException, InterruptedException {
    return post(httpAddress, JSON, json.getBytes(StandardCharsets.UTF_8));
  }

  static HttpResponse<byte[]> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return CLIENT.send(
        request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }

  /** The google.rpc.Status a failed answer carries, in the answer's encoding. */
  static com.google.rpc.Status status(HttpResponse<byte[]> r) {
    try {
      if (r.headers().firstValue("Content-Type").orElse("").startsWith(JSON)) {
        com.google.rpc.Status.Builder b = com.google.rpc.Status.newBuilder();
        JsonFormat.parser()
            .usingTypeRegistry(
                com.google.protobuf.TypeRegistry.newBuilder()
                    .add(com.google.rpc.RetryInfo.getDescriptor())
                    .build())
            .merge(new String(r.body(), StandardCharsets.UTF_8), b);
        return b.build();
      }
      return com.google.rpc.Status.parseFrom(r.body());
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(
          "the answer " + r.statusCode() + " is no google.rpc.Status: " + new String(r.body()), e);
    }
  }
}
