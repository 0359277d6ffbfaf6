package io.nexus.contracts;

/** Where the latest rebuild of a read model stands. */
public enum ProjectionState implements Wire {
  RUNNING, DONE, FAILED;

  @Override
  public String toString() {
    return wire();
  }
}
