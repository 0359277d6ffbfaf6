package io.nexus.kernel.events;

/**
 * A place in the event log's read order: the writing transaction's id, then the event's
 * position. Readers resume strictly after it.
 *
 * @param txId the xid8 of the transaction that wrote the event
 * @param position the event's global position
 */
public record LogPosition(long txId, long position) implements Comparable<LogPosition> {
  /** Before the first event. */
  public static final LogPosition START = new LogPosition(0, 0);

  @Override
  public int compareTo(LogPosition o) {
    int c = Long.compareUnsigned(txId, o.txId);
    return c != 0 ? c : Long.compare(position, o.position);
  }
}
