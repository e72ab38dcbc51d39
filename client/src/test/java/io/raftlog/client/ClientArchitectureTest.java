package io.raftlog.client;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The client library stands alone: it speaks the wire contract ({@code io.raftlog.api.v1}, {@code
 * io.raftlog.wire}) and never reaches into the node's code, nor into the tools' libraries, which an
 * application that embeds it must not inherit.
 */
@AnalyzeClasses(
    packages = "io.raftlog.client",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ClientArchitectureTest {

  @ArchTest
  static final ArchRule noServerCode =
      noClasses()
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.raftlog.config..",
              "io.raftlog.storage..",
              "io.raftlog.replication..",
              "io.raftlog.service..",
              "io.raftlog.server..",
              "io.raftlog.internal..",
              "com.alipay.sofa..",
              "org.rocksdb..")
          .because("the client knows the cluster only through its gRPC API");

  @ArchTest
  static final ArchRule noToolLibraries =
      noClasses()
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.raftlog.cli..",
              "io.raftlog.testkit..",
              "picocli..",
              "ch.qos.logback..",
              "org.HdrHistogram..")
          .because("applications that embed the client must not inherit the CLI's libraries");
}
