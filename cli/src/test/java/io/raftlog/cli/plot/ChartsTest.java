package io.raftlog.cli.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** The charts of {@code raftlog bench plot}: well-formed SVG holding the figures given. */
class ChartsTest {
  @TempDir Path dir;

  static final String RESULTS =
      String.join(
          "\n",
          "system\tworkload\tmetric\tvalue",
          "raftlog\tproduce 1KB\trec_s\t41000",
          "raftlog\tproduce 1KB\trec_s\t43000",
          "raftlog\tproduce 1KB\trec_s\t39000",
          "raftlog\tproduce 1KB\twrite_amp\t2.95",
          "kafka\tproduce 1KB\trec_s\t21500",
          "raftlog\tconsume 1KB\trec_s\t90000",
          "kafka\tconsume 1KB\trec_s\t88000",
          "kafka\tconsume 1KB\tfetch_rec_s\t140000",
          "raftlog\trate 1KB 5000/s\tp50_ms\t4.5",
          "raftlog\trate 1KB 5000/s\tp95_ms\t12",
          "raftlog\trate 1KB 5000/s\tp99_ms\t37.25",
          "raftlog\trate 1KB 5000/s\tp999_ms\t60",
          "raftlog\trate 1KB 5000/s\tmax_ms\t80",
          "kafka\trate 1KB 5000/s\tp99_ms\t134",
          "raftlog\tshards 12\tidle_cpu_pct\t21.2",
          "raftlog\tshards 3\tidle_cpu_pct\t6.3",
          "raftlog\tshards 3\tp50_ms\t8.7",
          "raftlog\tscaling 1\trec_s\t30000",
          "raftlog\tscaling 3\trec_s\t52000",
          "node-1\tdisk 0\tdu_mb\t0.5",
          "total\tdisk 0\tdu_mb\t1.5",
          "node-1\tdisk 10\tdu_mb\t98.5",
          "total\tdisk 10\tdu_mb\t255.8",
          "");

  /** Parses an SVG file as XML (throws if it is not well-formed) and returns its text nodes. */
  static List<String> texts(Path svg) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    Document doc = f.newDocumentBuilder().parse(svg.toFile());
    assertEquals("svg", doc.getDocumentElement().getLocalName());
    assertEquals("http://www.w3.org/2000/svg", doc.getDocumentElement().getNamespaceURI());
    NodeList nodes = doc.getElementsByTagNameNS("*", "text");
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      texts.add(nodes.item(i).getTextContent());
    }
    return texts;
  }

  @Test
  void everyChartIsWellFormedSvgHoldingItsValues() throws Exception {
    Path results = dir.resolve("results.tsv");
    Files.writeString(results, RESULTS);
    Path failover = dir.resolve("chaos.txt");
    Files.writeString(
        failover,
        "chaos: something else\n"
            + "chaos: failover_breakdown mode=leader faults=2 candidate_ms_p50=510"
            + " per_fault=[510/810/930/950/970/700,600/-1/850/900/1000/-1]\n"
            + "chaos: failover_breakdown mode=pause faults=0 per_fault=[]\n");
    List<String> report = Charts.write(results, failover, dir.resolve("svg"));
    assertEquals(8, report.size(), report::toString);
    assertTrue(report.stream().allMatch(l -> l.startsWith("wrote ")), report::toString);

    List<String> throughput = texts(dir.resolve("svg/throughput.svg"));
    assertTrue(throughput.contains("41,000"), "the median of three runs: " + throughput);
    assertTrue(throughput.contains("21,500"), throughput::toString);
    assertTrue(throughput.contains("140,000"), "Kafka's fetch phase: " + throughput);
    assertTrue(throughput.contains("produce 1KB"), throughput::toString);
    assertTrue(throughput.contains("kafka"), "the legend: " + throughput);

    List<String> latency = texts(dir.resolve("svg/latency.svg"));
    assertTrue(
        latency.containsAll(List.of("4.5", "37.25", "134", "p99.9", "max")), latency::toString);
    assertTrue(texts(dir.resolve("svg/write-amplification.svg")).contains("2.95"));

    List<String> idle = texts(dir.resolve("svg/idle-cpu.svg"));
    assertTrue(idle.containsAll(List.of("6.3", "21.2", "3", "12")), idle::toString);
    assertTrue(idle.indexOf("3") < idle.indexOf("12"), "shard counts in numeric order: " + idle);
    assertTrue(texts(dir.resolve("svg/shard-p50.svg")).contains("8.7"));
    assertTrue(texts(dir.resolve("svg/scaling.svg")).contains("52,000"));
    List<String> disk = texts(dir.resolve("svg/disk.svg"));
    assertTrue(disk.containsAll(List.of("node-1", "total")), "the legend: " + disk);

    List<String> breakdown = texts(dir.resolve("svg/failover.svg"));
    assertTrue(
        breakdown.containsAll(
            List.of("leader 1", "leader 2", "detection (to a candidate)", "510", "970", "1,000")),
        breakdown::toString);
  }

  @Test
  void chartsWithoutTheirFiguresAreSkippedWithTheReason() throws Exception {
    Path results = dir.resolve("results.tsv");
    Files.writeString(
        results, "system\tworkload\tmetric\tvalue\nraftlog\tshards 6\tidle_cpu_pct\t9\n");
    List<String> report = Charts.write(results, dir.resolve("absent.txt"), dir);
    assertTrue(report.contains("wrote " + dir.resolve("idle-cpu.svg")), report::toString);
    assertTrue(
        report.contains("skipped throughput.svg: no produce or consume runs"), report::toString);
    assertTrue(
        report.contains("skipped failover.svg: no failover file " + dir.resolve("absent.txt")),
        report::toString);
    assertFalse(Files.exists(dir.resolve("failover.svg")));
    assertFalse(Files.exists(dir.resolve("throughput.svg")));
  }

  @Test
  void textIsEscaped() throws Exception {
    Path results = dir.resolve("results.tsv");
    Files.writeString(results, "raftlog\tproduce <1KB> & \"more\"\trec_s\t5\n");
    Charts.write(results, null, dir);
    assertTrue(texts(dir.resolve("throughput.svg")).contains("produce <1KB> & \"more\""));
  }

  @Test
  void aMalformedResultsLineIsNamed() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Results.parse(List.of("system\tworkload\tmetric\tvalue", "raftlog\tx\ty\tfast")));
    assertTrue(e.getMessage().startsWith("line 2: "), e.getMessage());
  }

  @Test
  void niceCeilingsAndLabels() {
    assertEquals(1, Frame.niceCeiling(0));
    assertEquals(50_000, Frame.niceCeiling(41_000));
    assertEquals(25, Frame.niceCeiling(21.2));
    assertEquals(10, Frame.niceCeiling(10));
    assertEquals("1,234", Frame.number(1234.4));
    assertEquals("4.5", Frame.number(4.5));
    assertEquals("0", Frame.number(0));
  }
}
