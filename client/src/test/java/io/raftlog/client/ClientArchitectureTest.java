package io.raftlog.client;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The client library stands alone: it speaks the wire contract ({@code io.raftlog.api.v1}, {@code
 * io.raftlog.wire}) and never reaches into the node's code, nor into the tools' libraries, which an
 * application that embeds it must not inherit. Inside it, only {@link NodeChannels} holds gRPC
 * channels, and the cluster view and the producer's lanes make no call of their own.
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

  @ArchTest
  static final ArchRule onlyNodeChannelsHoldsChannels =
      noClasses()
          .that()
          .haveSimpleNameNotStartingWith("NodeChannels")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.grpc.netty..")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("io.grpc.ManagedChannel")
          .because("one pool of channels, one per node, closed with the client");

  @ArchTest
  static final ArchRule theViewAndTheLaneMakeNoCalls =
      noClasses()
          .that()
          .haveSimpleNameStartingWith("ClusterView")
          .or()
          .haveSimpleNameStartingWith("Lane")
          .or()
          .haveSimpleNameStartingWith("ResendQueue")
          .should()
          .dependOnClassesThat()
          .haveSimpleNameStartingWith("NodeChannels")
          .orShould()
          .dependOnClassesThat()
          .resideInAnyPackage("io.grpc.netty..")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("io.grpc.Channel")
          .orShould()
          .dependOnClassesThat()
          .haveSimpleNameStartingWith("LogGrpc")
          .because(
              "the cluster view and a shard's lane are tested alone (ClusterViewTest, LaneTest):"
                  + " they reach nodes only through ProduceCalls and a refresher they are given");
}
