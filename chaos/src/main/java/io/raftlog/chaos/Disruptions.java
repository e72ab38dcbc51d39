package io.raftlog.chaos;

import io.raftlog.chaos.SignalNode.Signal;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes the {@link Disruption} a mode calls for, from the situation of the moment (called by the
 * fault loop's thread, once per interval).
 */
final class Disruptions {
  private Disruptions() {}

  static Disruption pick(Mode mode, Situation s) {
    return switch (mode) {
      case LEADER -> new SignalNode("leader", s, s.leader(), Signal.KILL);
      case FOLLOWER -> new SignalNode("follower", s, s.follower(), Signal.KILL);
      case NODE -> new SignalNode("node", s, s.randomNode(), Signal.KILL);
      case ALL -> new KillAll(s);
      case PAUSE -> new SignalNode("pause", s, s.leader(), Signal.STOP);
      case RESTART -> new SignalNode("restart", s, s.randomNode(), Signal.TERM);
      case ISOLATE_LEADER -> new IsolateNode("isolate-leader", s, s.leader(), false);
      case ISOLATE_FOLLOWER -> new IsolateNode("isolate-follower", s, s.follower(), false);
      case SPLIT -> new IsolateNode("split", s, s.randomNode(), true);
      case ONE_WAY -> new OneWayCut(s, s.leader());
      case FLAP -> new FlapNode(s, s.leader());
      case DISK -> new FillDisk("disk", s, s.follower());
      case DISK_LEADER -> new FillDisk("disk-leader", s, s.leader());
      case MIXED -> {
        List<Mode> kinds = mixedKinds(s.network() != null, !s.disks().isEmpty());
        yield pick(kinds.get(s.random().nextInt(kinds.size())), s);
      }
      // a membership change every other fault, a leader kill between
      case MOVE ->
          s.round() % 2 == 0
              ? new JoinAndDrain(s, s.leader(), s.requireMembers("move"))
              : new SignalNode("leader", s, s.leader(), Signal.KILL);
      case REPLACE -> new ReplaceNode(s, s.leader(), s.requireMembers("replace"));
    };
  }

  /**
   * What mode mixed draws from: every single-node fault, the partitions when the nodes run in
   * namespaces, the full disks when their data is on small filesystems. Killing all three is left
   * out: it stops every stream, so it would swamp the rest; so are the membership changes, which
   * take minutes and more nodes.
   */
  static List<Mode> mixedKinds(boolean network, boolean disks) {
    List<Mode> kinds =
        new ArrayList<>(List.of(Mode.LEADER, Mode.FOLLOWER, Mode.NODE, Mode.PAUSE, Mode.RESTART));
    if (network) {
      kinds.addAll(
          List.of(Mode.ISOLATE_LEADER, Mode.ISOLATE_FOLLOWER, Mode.SPLIT, Mode.ONE_WAY, Mode.FLAP));
    }
    if (disks) {
      kinds.addAll(List.of(Mode.DISK, Mode.DISK_LEADER));
    }
    return kinds;
  }
}
