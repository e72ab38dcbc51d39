package io.raftlog.console;

/** A query parameter the console cannot use: answered 400, naming the parameter. */
final class BadParameter extends Exception {
  BadParameter(String name, String problem) {
    super("query parameter '" + name + "': " + problem);
  }
}
