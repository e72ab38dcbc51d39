/**
 * TLS on the Raft port (SOFA Bolt under JRaft): the Raft port's listener ({@link
 * io.raftlog.replication.rafttls.RaftPortTls}), the JVM-wide settings Bolt's clients read ({@link
 * io.raftlog.replication.rafttls.BoltClientTls}), and the check Bolt lacks: only certificates of
 * the cluster's member nodes pass, both ways ({@link
 * io.raftlog.replication.rafttls.MemberCertificates}). docs/security.md, "The Raft port".
 */
package io.raftlog.replication.rafttls;
