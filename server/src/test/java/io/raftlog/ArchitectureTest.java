package io.raftlog;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.raftlog.storage.ConsumerPosition;
import io.raftlog.storage.LogReader;
import io.raftlog.storage.NamedStream;
import io.raftlog.storage.RetentionPolicy;
import io.raftlog.storage.RocksLogStore;
import io.raftlog.storage.StoreBatch;
import io.raftlog.storage.StoreException;
import io.raftlog.storage.StoredRecords;
import io.raftlog.storage.StreamMeta;

/**
 * The node's layering, as docs/architecture.md draws it: {@code config} and {@code storage} at the
 * bottom, {@code replication} over them, {@code service} over that, {@code server} wiring it all.
 * The seams between them: the service reads the store only through {@link LogReader}, writes only
 * through replication's API, and never sees the Raft entries replication builds. A failure names
 * the offending class and the dependency; fix the code or, if the design changed, the rule and the
 * document together.
 */
@AnalyzeClasses(packages = "io.raftlog", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule layers =
      layeredArchitecture()
          .consideringOnlyDependenciesInLayers()
          .layer("config")
          .definedBy("io.raftlog.config..")
          .layer("storage")
          .definedBy("io.raftlog.storage..")
          .layer("replication")
          .definedBy("io.raftlog.replication..")
          .layer("service")
          .definedBy("io.raftlog.service..")
          .layer("server")
          .definedBy("io.raftlog.server..")
          // The HTTP port: the server routes paths to metrics and the console; the console reads
          // the cluster through the node's own gRPC API, so it needs nothing of the node's inside.
          .layer("http")
          .definedBy("io.raftlog.http..")
          .layer("metrics")
          .definedBy("io.raftlog.metrics..")
          .layer("console")
          .definedBy("io.raftlog.console..")
          // OTLP logs in: the collector appends through a RecordSink the server hands it.
          .layer("collector")
          .definedBy("io.raftlog.collector..")
          // Security: tls reads and checks PEM files and names principals (JDK only); auth
          // authorizes calls (the ACL, the caller of a call) in front of the service.
          .layer("tls")
          .definedBy("io.raftlog.tls..")
          .layer("auth")
          .definedBy("io.raftlog.auth..")
          .whereLayer("server")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("http")
          .mayOnlyBeAccessedByLayers("server")
          .whereLayer("metrics")
          .mayOnlyBeAccessedByLayers("server")
          .whereLayer("console")
          .mayOnlyBeAccessedByLayers("server")
          .whereLayer("collector")
          .mayOnlyBeAccessedByLayers("server")
          .whereLayer("auth")
          .mayOnlyBeAccessedByLayers("server", "service")
          .whereLayer("tls")
          .mayOnlyBeAccessedByLayers("server", "service", "replication", "auth")
          .whereLayer("service")
          .mayOnlyBeAccessedByLayers("server", "metrics")
          .whereLayer("replication")
          .mayOnlyBeAccessedByLayers("service", "server", "metrics")
          // Reads come from the store directly (they need no Raft round), through its read
          // interface; writes go through replication only: see the rules below.
          .whereLayer("storage")
          .mayOnlyBeAccessedByLayers("replication", "service", "server", "metrics")
          .whereLayer("config")
          .mayOnlyBeAccessedByLayers(
              "replication", "service", "server", "metrics", "console", "collector", "tls", "auth");

  @ArchTest
  static final ArchRule serviceReadsTheStoreThroughItsReadInterface =
      classes()
          .that()
          .resideInAnyPackage("io.raftlog.service..", "io.raftlog.server..")
          .should()
          .onlyDependOnClassesThat(
              resideOutsideOfPackage("io.raftlog.storage..")
                  .or(
                      belongToAnyOf(
                          LogReader.class,
                          StoredRecords.class,
                          StreamMeta.class,
                          NamedStream.class,
                          RetentionPolicy.class,
                          ConsumerPosition.class,
                          StoreException.class)))
          .because(
              "the service reads a replica's applied state through LogReader; how the store keeps"
                  + " it (RocksDB, keys, chunks, the write batch) is the store's own");

  @ArchTest
  static final ArchRule storeWritesComeOnlyFromReplication =
      classes()
          .that()
          .belongToAnyOf(RocksLogStore.class, StoreBatch.class)
          .should()
          .onlyBeAccessed()
          .byClassesThat()
          .resideInAnyPackage("io.raftlog.storage..", "io.raftlog.replication..")
          .because("records reach the store only by applying committed Raft entries");

  @ArchTest
  static final ArchRule raftEntriesStayInReplication =
      noClasses()
          .that()
          .resideInAnyPackage(
              "io.raftlog.config..",
              "io.raftlog.storage..",
              "io.raftlog.service..",
              "io.raftlog.server..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.raftlog.internal..")
          .because(
              "replication builds and applies the Raft entries (raft_entry.proto); the service"
                  + " asks it to append, create or delete");

  @ArchTest
  static final ArchRule jraftStaysInReplication =
      noClasses()
          .that()
          .resideOutsideOfPackage("io.raftlog.replication..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("com.alipay.sofa.jraft..")
          .because("the rest of the node sees raftlog's own contracts, not JRaft's");

  @ArchTest
  static final ArchRule onlyServiceAndServerSpeakGrpc =
      noClasses()
          .that()
          .resideInAnyPackage(
              "io.raftlog.config..", "io.raftlog.storage..", "io.raftlog.replication..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.grpc..")
          .because("the log, its replication and its config know nothing of the RPC layer");

  @ArchTest
  static final ArchRule theNodesRaftLogIsOnlyALogStorage =
      noClasses()
          .that()
          .resideInAPackage("io.raftlog.replication.nodelog..")
          .should()
          .dependOnClassesThat()
          .resideOutsideOfPackages(
              "io.raftlog.replication.nodelog..",
              "com.alipay.sofa.jraft..",
              "org.rocksdb..",
              "org.slf4j..",
              "java..")
          .because(
              "the node's one Raft log is JRaft's log storage over RocksDB; the groups that use it"
                  + " are replication's");

  @ArchTest
  static final ArchRule noCycles = slices().matching("io.raftlog.(*)..").should().beFreeOfCycles();
}
