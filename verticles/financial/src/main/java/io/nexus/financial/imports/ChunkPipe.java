package io.nexus.financial.imports;

import io.vertx.core.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The bridge between chunks arriving on the event bus and a job reading a blocking stream on a
 * worker thread. A chunk is acknowledged only once it is queued, so the sender (the gateway,
 * which reads the HTTP upload one acknowledged chunk at a time) never runs more than a few
 * chunks ahead: memory stays bounded whatever the file's size.
 */
public final class ChunkPipe extends InputStream {
  private static final byte[] END = new byte[0];
  private static final byte[] ABORT = new byte[0];
  private final ArrayBlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(4);
  private final Context context;
  private final long idleSeconds;
  private volatile String abortReason;
  private byte[] current;
  private int offset;
  private boolean ended;
  // event-loop side: at most one chunk waits for room, since the sender waits for each acknowledgement
  private byte[] waiting;
  private Runnable waitingAck;

  /**
   * @param context the event-loop context chunks arrive on
   * @param idleSeconds how long the reader waits for the next chunk before giving up
   */
  public ChunkPipe(Context context, long idleSeconds) {
    this.context = context;
    this.idleSeconds = idleSeconds;
  }

  /** Queues a chunk (event loop); {@code ack} runs once it is queued. */
  public void offer(byte[] chunk, Runnable ack) {
    if (waiting == null && queue.offer(chunk)) {
      ack.run();
    } else if (waiting == null) {
      waiting = chunk;
      waitingAck = ack;
    } else {
      throw new IllegalStateException("a chunk arrived before the previous one was acknowledged");
    }
  }

  /** Marks the end of the upload (event loop). */
  public void end() {
    offer(END, () -> {});
  }

  /** Ends the upload as failed: the reader gets an IOException with this reason. */
  public void abort(String reason) {
    abortReason = reason;
    queue.clear();
    queue.offer(ABORT);
    waiting = null;
    waitingAck = null;
  }

  private void moveWaiting() {
    if (waiting != null && queue.offer(waiting)) {
      Runnable ack = waitingAck;
      waiting = null;
      waitingAck = null;
      ack.run();
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (current == null || offset == current.length) {
      if (ended) {
        return -1;
      }
      byte[] next;
      try {
        next = queue.poll(idleSeconds, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("the import was interrupted");
      }
      if (next == null) {
        throw new IOException("no data arrived for " + idleSeconds + " s; the upload stalled");
      }
      context.runOnContext(v -> moveWaiting());
      if (next == ABORT) {
        throw new IOException(abortReason);
      }
      if (next == END) {
        ended = true;
        return -1;
      }
      current = next;
      offset = 0;
    }
    int n = Math.min(len, current.length - offset);
    System.arraycopy(current, offset, b, off, n);
    offset += n;
    return n;
  }
}
