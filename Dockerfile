# syntax=docker/dockerfile:1.7
# The raftlog node image: the server jar run by deploy/docker/entrypoint.sh, which derives the node's
# config from its Kubernetes pod (deploy/k8s/, docs/kubernetes.md), plus the `raftlog` tool for
# `kubectl exec`. Build from the repository's root:
#   docker build -t raftlog:0.1.0 .
# Not built by this repository's CI (its machines have no Docker engine); KubernetesManifestsTest
# checks the rules below (two stages, pinned images, a non-root user, the paths the entrypoint uses).

# Build stage: the same Maven build as a developer's (`mvn package`, tests left to CI), on a pinned
# JDK 17. The cache mount keeps ~/.m2 between builds.
FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -DskipTests package -pl server,cli -am

# Runtime stage: a pinned JRE 17 and the two jars, nothing of the build.
FROM eclipse-temurin:17.0.13_11-jre-jammy
# uid/gid 10001: the StatefulSet's securityContext runs the pod as this user and gives it the volume.
RUN groupadd --system --gid 10001 raftlog \
    && useradd --system --uid 10001 --gid raftlog --no-create-home --home-dir /var/lib/raftlog \
        --shell /usr/sbin/nologin raftlog \
    && mkdir -p /var/lib/raftlog /etc/raftlog \
    && chown raftlog:raftlog /var/lib/raftlog
COPY --from=build /src/server/target/raftlog-server.jar /opt/raftlog/raftlog-server.jar
COPY --from=build /src/cli/target/raftlog-cli.jar /opt/raftlog/raftlog-cli.jar
COPY --chmod=0755 deploy/docker/entrypoint.sh /opt/raftlog/bin/raftlog-node
COPY --chmod=0755 deploy/docker/raftlog /opt/raftlog/bin/raftlog
ENV PATH=/opt/raftlog/bin:$PATH \
    RAFTLOG_HOME=/opt/raftlog \
    RAFTLOG_DATA=/var/lib/raftlog
USER 10001:10001
WORKDIR /var/lib/raftlog
# The node's data (data/) and its generated config (node.properties).
VOLUME /var/lib/raftlog
# 9001: the gRPC API (clients, health probes, forwarding between nodes); 8101: Raft; 9200: HTTP
# (/metrics for Prometheus, the web console).
EXPOSE 9001 8101 9200
ENTRYPOINT ["/opt/raftlog/bin/raftlog-node"]
