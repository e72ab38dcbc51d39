package io.raftlog.logback;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.util.Duration;
import ch.qos.logback.core.util.FileSize;
import io.raftlog.client.ClientSettings;
import io.raftlog.client.ClientTls;
import io.raftlog.client.RaftlogClient;
import io.raftlog.client.RaftlogClientBuilder;
import io.raftlog.wire.StreamNames;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A logback appender that ships an application's events into a raftlog stream, one record per event
 * ({@code io.raftlog.otlp.LogValues}: OTLP by default, or flat JSON), batched through the client's
 * idempotent producer.
 *
 * <pre>{@code
 * <appender name="RAFTLOG" class="io.raftlog.logback.RaftlogAppender">
 *   <addresses>10.0.0.1:9001,10.0.0.2:9001</addresses>
 *   <service>checkout</service>          <!-- stream logs.checkout, as OTLP logs of checkout -->
 * </appender>
 * }</pre>
 *
 * <p>It never blocks the application: {@link #append} (the logging thread) only takes a place in a
 * bounded buffer of {@code bufferSize} events without waiting, or drops the event and counts it
 * ({@link #droppedEvents()}); a {@link Shipper} thread does the rest. Dropping starts a logback
 * status WARN; once the cluster takes records again, one WARN record in the stream says how many
 * events were dropped between which times. {@link #stop()} sends what is buffered within {@code
 * shutdownTimeout}, then closes the client; what it could not deliver counts as dropped.
 *
 * <p>It never ships its own client's logging: events of the loggers under {@code
 * io.raftlog.client}, {@code io.grpc} and {@code io.netty}, and any event logged on the shipper
 * thread, are ignored here (route them to another appender), so shipping cannot feed itself.
 *
 * <p>Settings are set by logback's configurator before {@link #start()}, on its thread; {@link
 * #append} runs on the application's threads, concurrently (hence {@link
 * UnsynchronizedAppenderBase}: no lock shared by logging threads).
 */
public class RaftlogAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
  /**
   * Loggers of the appender's own client stack; their events are not shipped (no feedback loop).
   */
  static final List<String> OWN_LOGGERS = List.of("io.raftlog.client", "io.grpc", "io.netty");

  /** OpenTelemetry's service.name when none is set, for a Java process. */
  static final String DEFAULT_SERVICE = "unknown_service:java";

  private String addresses;
  private String ca;
  private String cert;
  private String key;
  private String service = DEFAULT_SERVICE;
  private String stream;
  private String encoding = "otlp";
  private String hostName;
  private int bufferSize = 10_000;
  private FileSize batchBytes;
  private Duration linger;
  private Duration deliveryTimeout = Duration.buildByMinutes(5);
  private Duration shutdownTimeout = Duration.buildBySeconds(5);
  private FileSize maxRecordBytes = new FileSize(1 << 20);

  private volatile Shipper shipper;
  private String streamInUse;

  /** The cluster's client addresses, {@code host:port}, comma-separated (any subset). Required. */
  public void setAddresses(String addresses) {
    this.addresses = addresses;
  }

  /** TLS to the nodes: the CA file (PEM) their certificates are checked against. */
  public void setCa(String ca) {
    this.ca = ca;
  }

  /** Mutual TLS: the client certificate chain (PEM), with {@link #setKey}. */
  public void setCert(String cert) {
    this.cert = cert;
  }

  /** Mutual TLS: the client certificate's private key (PEM, PKCS#8). */
  public void setKey(String key) {
    this.key = key;
  }

  /** The resource's {@code service.name} (default {@code unknown_service:java}). */
  public void setService(String service) {
    this.service = service;
  }

  /** The stream (default {@code logs.<service>}, where OTLP logs of that service land). */
  public void setStream(String stream) {
    this.stream = stream;
  }

  /** {@code otlp} (default) or {@code json}. */
  public void setEncoding(String encoding) {
    this.encoding = encoding;
  }

  /** The resource's {@code host.name} (default: this machine's name). */
  public void setHostName(String hostName) {
    this.hostName = hostName;
  }

  /** Events held (waiting, or sent and not yet acknowledged); beyond it events are dropped. */
  public void setBufferSize(int bufferSize) {
    this.bufferSize = bufferSize;
  }

  /** The client's batch size (default the client's, 256 KB). */
  public void setBatchBytes(FileSize batchBytes) {
    this.batchBytes = batchBytes;
  }

  /** The client's linger (default the client's, 5 ms). */
  public void setLinger(Duration linger) {
    this.linger = linger;
  }

  /**
   * How long the producer retries a batch (through an outage) before it gives up and its events
   * count as dropped: the client's deadline. Default 5 minutes.
   */
  public void setDeliveryTimeout(Duration deliveryTimeout) {
    this.deliveryTimeout = deliveryTimeout;
  }

  /** How long {@link #stop()} may take to deliver what is buffered. Default 5 seconds. */
  public void setShutdownTimeout(Duration shutdownTimeout) {
    this.shutdownTimeout = shutdownTimeout;
  }

  /**
   * The nodes' {@code log.max-record-bytes} (default 1 MB): a larger event has its body and stack
   * trace cut to fit.
   */
  public void setMaxRecordBytes(FileSize maxRecordBytes) {
    this.maxRecordBytes = maxRecordBytes;
  }

  /** Events dropped since the start: buffer full, given up after deliveryTimeout, or at stop. */
  public long droppedEvents() {
    Shipper s = shipper;
    return s == null ? 0 : s.droppedEvents();
  }

  /** The stream this appender writes to, once started. */
  public String stream() {
    return streamInUse;
  }

  @Override
  public void start() {
    if (isStarted()) {
      return;
    }
    String problem = problem();
    if (problem != null) {
      addError(getName() + ": " + problem + "; the appender does not start");
      return;
    }
    EventRecords.Encoding form = EventRecords.Encoding.of(encoding);
    EventRecords records =
        new EventRecords(
            form, service, hostName != null ? hostName : localHostName(), recordLimit());
    String target = stream != null ? stream.trim() : records.defaultStream();
    String bad = StreamNames.problem(target);
    if (bad != null) {
      addError(getName() + ": stream '" + target + "': " + bad + "; the appender does not start");
      return;
    }
    RaftlogClientBuilder client;
    try {
      client = clientSettings();
    } catch (IllegalArgumentException e) {
      addError(getName() + ": " + e.getMessage() + "; the appender does not start");
      return;
    }
    streamInUse = target;
    Shipper s = new Shipper(this, getName(), client, target, records, bufferSize);
    s.start();
    shipper = s;
    addInfo(getName() + ": shipping to stream '" + target + "' on " + addresses + " as " + form);
    super.start();
  }

  @Override
  protected void append(ILoggingEvent e) {
    Shipper s = shipper;
    if (s == null || s.isShipperThread() || isOwnLogger(e.getLoggerName())) {
      return;
    }
    s.offer(e);
  }

  @Override
  public void stop() {
    if (!isStarted()) {
      return;
    }
    super.stop(); // no more appends
    shipper.stop(shutdownTimeout.getMilliseconds() * 1_000_000L);
  }

  static boolean isOwnLogger(String logger) {
    for (String own : OWN_LOGGERS) {
      if (logger.startsWith(own)
          && (logger.length() == own.length() || logger.charAt(own.length()) == '.')) {
        return true;
      }
    }
    return false;
  }

  private String problem() {
    if (addresses == null || addresses.isBlank()) {
      return "no <addresses> (the cluster's client addresses, host:port, comma-separated)";
    }
    if (encoding == null || EventRecords.Encoding.of(encoding) == null) {
      return "<encoding> is '" + encoding + "': use otlp or json";
    }
    if (bufferSize < 1) {
      return "<bufferSize> must be at least 1, got " + bufferSize;
    }
    if (service == null || service.isBlank()) {
      return "<service> is empty";
    }
    if (maxRecordBytes.getSize() < 1024 || maxRecordBytes.getSize() > Integer.MAX_VALUE) {
      return "<maxRecordBytes> must be 1 KB to 2 GB, got " + maxRecordBytes;
    }
    return null;
  }

  private int recordLimit() {
    return (int) maxRecordBytes.getSize();
  }

  /** The client's settings; the shipper builds the client when the first event comes. */
  private RaftlogClientBuilder clientSettings() {
    RaftlogClientBuilder b =
        RaftlogClient.builder()
            .servers(addresses)
            .deadline(java.time.Duration.ofMillis(deliveryTimeout.getMilliseconds()))
            // The shipper thread, not the application, waits in a send: short, so it can retry
            // and see a stop in time.
            .maxBlock(java.time.Duration.ofSeconds(1));
    if (batchBytes != null) {
      b.batchBytes((int) Math.min(Integer.MAX_VALUE, batchBytes.getSize()));
    }
    if (linger != null) {
      b.linger(java.time.Duration.ofMillis(linger.getMilliseconds()));
    }
    if (ca != null || cert != null || key != null) {
      if (ca == null) {
        throw new IllegalArgumentException("cert and key need ca (the nodes' CA file)");
      }
      ClientTls tls =
          cert == null && key == null
              ? ClientTls.of(Path.of(ca))
              : ClientTls.of(
                  Path.of(ca),
                  cert == null ? null : Path.of(cert),
                  key == null ? null : Path.of(key));
      tls.check(); // now, not at the first event: a bad file stops the appender's start
      b.set(ClientSettings.TLS, Optional.of(tls));
    }
    return b;
  }

  private static String localHostName() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "";
    }
  }
}
