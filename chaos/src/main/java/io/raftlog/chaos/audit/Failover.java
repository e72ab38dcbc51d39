package io.raftlog.chaos.audit;

/**
 * Where one fault's outage of its affected streams went, each figure in milliseconds from the fault
 * (-1 where it was not seen): the survivors noticing the leader gone and winning a pre-vote ({@code
 * candidateMs}: the first survivor in a newer term), the vote ({@code electedMs}: survivors lead
 * every shard the faulted node led), the client finding the new leader and writing through ({@code
 * firstAckMs}: the first acknowledgement of a record sent once the fault held), then the rest of
 * the streams ({@code unavailableP50Ms}, {@code unavailableMaxMs}), and the batches that were in
 * flight at the fault resent and answered ({@code inFlightAckedMs}: the last acknowledgement of an
 * affected record sent before it).
 */
public record Failover(
    long candidateMs,
    long electedMs,
    long firstAckMs,
    long unavailableP50Ms,
    long unavailableMaxMs,
    long inFlightAckedMs) {}
