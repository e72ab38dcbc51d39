package io.raftlog;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The node's layering, as docs/architecture.md draws it: {@code config} and {@code storage} at the
 * bottom, {@code replication} over them, {@code service} over that, {@code server} wiring it all. A
 * failure names the offending class and the dependency; fix the code or, if the design changed, the
 * rule and the document together.
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
          .whereLayer("server")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("service")
          .mayOnlyBeAccessedByLayers("server")
          .whereLayer("replication")
          .mayOnlyBeAccessedByLayers("service", "server")
          // Reads come from the store directly (they need no Raft round); writes go through
          // replication only, which the store's API cannot tell apart: see the next rule.
          .whereLayer("storage")
          .mayOnlyBeAccessedByLayers("replication", "service", "server")
          .whereLayer("config")
          .mayOnlyBeAccessedByLayers("replication", "service", "server");

  @ArchTest
  static final ArchRule serviceNeverWritesTheStore =
      noClasses()
          .that()
          .resideInAPackage("io.raftlog.service..")
          .should()
          .callMethod("io.raftlog.storage.RocksLogStore", "newBatch")
          .orShould()
          .callMethod("io.raftlog.storage.RocksLogStore", "restoreFrom", "java.nio.file.Path")
          .because("records reach the store only by applying committed Raft entries");

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
  static final ArchRule noCycles = slices().matching("io.raftlog.(*)..").should().beFreeOfCycles();
}
