package io.nexus.financial.demo;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * An import file generated while it is read: {@code rows} journal lines (two per entry) over
 * the accounts 1000 (asset), 4000 (revenue) and 6000 (expense), never held in memory, always
 * the same for the same size. For load tests and benchmarks of the import path.
 */
public final class SyntheticCsv extends InputStream {
  public static final String HEADER = "entry,date,account,debit,credit,currency,description,counterparty,document\n";
  private final long rows;
  private long row;
  private byte[] current = HEADER.getBytes(StandardCharsets.UTF_8);
  private int offset;

  public SyntheticCsv(long rows) {
    this.rows = rows;
  }

  /** The size in bytes of the file of {@code rows} rows (for Content-Length). */
  public static long size(long rows) {
    long n = 0;
    var in = new SyntheticCsv(rows);
    byte[] buf = new byte[1 << 16];
    int r;
    while ((r = in.read(buf, 0, buf.length)) > 0) {
      n += r;
    }
    return n;
  }

  private byte[] line(long i) {
    long entry = i / 2;
    boolean sale = entry % 3 != 0;
    long cents = 1000 + (entry * 7919) % 500_000;
    String amount = (cents / 100) + "." + String.format("%02d", cents % 100);
    String date = "2025-" + String.format("%02d", 1 + entry % 12) + "-" + String.format("%02d", 1 + entry % 28);
    String account;
    String debit = "";
    String credit = "";
    if (i % 2 == 0) {
      account = sale ? "1000" : "6000";
      debit = amount;
    } else {
      account = sale ? "4000" : "1000";
      credit = amount;
    }
    return ("E" + entry + "," + date + "," + account + "," + debit + "," + credit + ",EUR,"
        + (sale ? "Sale" : "Rent") + " " + entry + ",Customer " + (entry % 997) + ",D-" + entry + "\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public int read() {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    int n = 0;
    while (n < len) {
      if (offset == current.length) {
        if (row == rows) {
          return n == 0 ? -1 : n;
        }
        current = line(row++);
        offset = 0;
      }
      int k = Math.min(len - n, current.length - offset);
      System.arraycopy(current, offset, b, off + n, k);
      offset += k;
      n += k;
    }
    return n;
  }

  @Override
  public void close() {}
}
