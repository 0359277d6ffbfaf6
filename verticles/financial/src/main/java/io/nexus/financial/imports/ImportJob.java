package io.nexus.financial.imports;

import io.nexus.contracts.financial.Financial.ImportFormat;
import io.nexus.contracts.financial.Financial.ImportError;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Reads an import file row by row, checks every row and every entry, and writes the good
 * entries with {@code COPY} in batches, inside the caller's transaction on a blocking JDBC
 * connection. Memory stays bounded: one entry being assembled, one batch being written, and
 * the first {@value #KEPT_ERRORS} errors. The caller commits or rolls back.
 *
 * <p>Rows of one entry are consecutive and share the {@code entry} value; the entry's date,
 * description, counterparty and document come from its first row. In all-or-nothing mode
 * writing stops at the first error while checking goes on, so the report lists every bad line.
 */
public final class ImportJob {
  static final int KEPT_ERRORS = 1000;
  static final int MAX_LINE_BYTES = 64 * 1024;
  private static final int BATCH_ENTRIES = 5000;
  private static final int MAX_INTEGER_DIGITS = 15;
  private static final int E_ENTRY = 0;
  private static final int E_DATE = 1;
  private static final int E_ACCOUNT = 2;
  private static final int E_DEBIT = 3;
  private static final int E_CREDIT = 4;
  private static final int E_CURRENCY = 5;
  private static final int E_DESCRIPTION = 6;
  private static final int E_COUNTERPARTY = 7;
  private static final int E_DOCUMENT = 8;
  private static final int E_TIME = 9;

  /** How to read the file. */
  public record Options(ImportFormat format, boolean allOrNothing, char delimiter, char decimalSeparator,
      Map<String, String> mapping) {}

  /** An account of the ledger as the import sees it. */
  public record Account(UUID id, boolean active) {}

  /** Where the job stands; also its final result. */
  public record Progress(long rowsDone, long bytesDone, long entriesWritten, long errorCount) {}

  /** The outcome: counts, the first errors, and the file's hash. */
  public record Result(long rows, long bytes, long entries, long errorCount, List<ImportError> errors, String sha256) {
    public boolean clean() {
      return errorCount == 0;
    }
  }

  private final Connection c;
  private final CopyManager copy;
  private final UUID ledger;
  private final String ledgerCurrency;
  private final Map<String, Account> accounts;
  private final UUID importId;
  private final String postedBy;
  private final Options options;
  private final Consumer<Progress> progress;
  private final Pattern amountPattern;

  private final List<ImportError> errors = new ArrayList<>();
  private long errorCount;
  private long rows;
  private long entriesWritten;
  private final StringBuilder entryBatch = new StringBuilder(1 << 20);
  private final StringBuilder lineBatch = new StringBuilder(1 << 21);
  private int batched;
  private final Map<String, Currency> currencies = new HashMap<>();
  private String lastDateText;
  private LocalDate lastDate;
  private Pending pending;
  private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "nexus-import-writer");
    t.setDaemon(true);
    return t;
  });
  private Future<Integer> writing;

  public ImportJob(Connection c, UUID ledger, String ledgerCurrency, Map<String, Account> accounts, UUID importId,
      String postedBy, Options options, Consumer<Progress> progress) throws SQLException {
    this.c = c;
    this.copy = c.unwrap(PGConnection.class).getCopyAPI();
    this.ledger = ledger;
    this.ledgerCurrency = ledgerCurrency;
    this.accounts = accounts;
    this.importId = importId;
    this.postedBy = postedBy;
    this.options = options;
    this.progress = progress;
    this.amountPattern = options.decimalSeparator() == ',' ? Pattern.compile("[0-9]+(,[0-9]+)?")
        : Pattern.compile("[0-9]+(\\.[0-9]+)?");
  }

  /** Refreshes the planner's statistics of the ledger tables (after a committed import). */
  public static void analyze(Connection c) throws SQLException {
    try (var st = c.createStatement()) {
      st.execute("ANALYZE entries, entry_lines");
    }
  }

  /** Runs the import to the end of the stream; the caller commits when it should. */
  public Result run(InputStream in) throws IOException, SQLException {
    try {
      return read(in);
    } finally {
      // when reading failed (an aborted or oversized upload) a batch may still be on its way to
      // PostgreSQL over the caller's connection: let it end before the caller rolls back and
      // records the outcome on that connection (its result no longer matters)
      Future<Integer> w = writing;
      writing = null;
      if (w != null) {
        try {
          w.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
          // the import fails anyway; the caller rolls back
        }
      }
      writer.shutdown();
    }
  }

  private Result read(InputStream in) throws IOException, SQLException {
    var lines = new LineReader(in, MAX_LINE_BYTES);
    RowSource source;
    try {
      if (options.format() == ImportFormat.CSV) {
        var csv = new RowSource.Csv(lines, options.delimiter(), options.mapping());
        csv.header();
        source = csv;
      } else {
        source = new RowSource.JsonLines(lines);
      }
      long nextReport = System.nanoTime() + 1_000_000_000L;
      RowSource.RawRow row;
      while ((row = source.next()) != null) {
        rows++;
        accept(row);
        if ((rows & 1023) == 0 && System.nanoTime() > nextReport) {
          nextReport = System.nanoTime() + 1_000_000_000L;
          progress.accept(new Progress(rows, lines.bytes(), entriesWritten + batched, errorCount));
        }
      }
      finishEntry();
      if (rows == 0) {
        error(0, "the file has no rows");
      }
    } catch (RowSource.FileProblem p) {
      error(p.line, p.getMessage());
      // drain the rest so the upload completes and the hash covers the whole file
      while (lines.next() != null) {
        // skip
      }
    }
    flush();
    awaitWriter();
    return new Result(rows, lines.bytes(), entriesWritten, errorCount, List.copyOf(errors), lines.sha256());
  }

  // ---- rows and entries ----

  private final class Pending {
    final String key;
    final long firstLine;
    long lastLine;
    final LocalDate date;
    final String description;
    final String counterparty;
    final String document;
    final java.time.LocalTime time;
    boolean bad;
    final List<UUID> lineAccounts = new ArrayList<>(4);
    final List<BigDecimal> debits = new ArrayList<>(4);
    final List<BigDecimal> credits = new ArrayList<>(4);
    final List<String> lineCurrencies = new ArrayList<>(4);

    Pending(String key, long line, LocalDate date, String description, String counterparty, String document,
        java.time.LocalTime time) {
      this.key = key;
      this.firstLine = line;
      this.lastLine = line;
      this.date = date;
      this.description = description;
      this.counterparty = counterparty;
      this.document = document;
      this.time = time;
    }
  }

  private void accept(RowSource.RawRow row) throws SQLException {
    if (row.error() != null) {
      error(row.line(), row.error());
      return;
    }
    String key = row.get(E_ENTRY);
    if (key == null) {
      error(row.line(), "entry: empty; every row names the entry it belongs to");
      return;
    }
    if (pending == null || !pending.key.equals(key)) {
      finishEntry();
      LocalDate date = date(row);
      java.time.LocalTime time = null;
      boolean badTime = false;
      if (row.get(E_TIME) != null) {
        try {
          time = java.time.LocalTime.parse(row.get(E_TIME));
        } catch (DateTimeParseException ex) {
          error(row.line(), "time: expected a time such as 17:45 or 17:45:10, got '" + row.get(E_TIME) + "'");
          badTime = true;
        }
      }
      pending = new Pending(key, row.line(), date, limit(row.get(E_DESCRIPTION), 500, ""), limit(row.get(E_COUNTERPARTY), 200, null),
          limit(row.get(E_DOCUMENT), 100, null), time);
      if (date == null || badTime) {
        pending.bad = true;
      }
    }
    Pending e = pending;
    e.lastLine = row.line();
    String problem = line(row, e);
    if (problem != null) {
      e.bad = true;
      error(row.line(), problem);
    }
  }

  /** Checks one row as a line of the pending entry and adds it; the problem, or null. */
  private String line(RowSource.RawRow row, Pending e) {
    String code = row.get(E_ACCOUNT);
    if (code == null) {
      return "account: empty";
    }
    Account a = accounts.get(code);
    if (a == null) {
      return "account: no account " + code + " in this ledger";
    }
    if (!a.active()) {
      return "account: account " + code + " is inactive";
    }
    String cur = row.get(E_CURRENCY) == null ? ledgerCurrency : row.get(E_CURRENCY);
    Currency currency = currencies.computeIfAbsent(cur, ImportJob::currencyOf);
    if (currency == null) {
      return "currency: '" + cur + "' is not an ISO 4217 currency";
    }
    String debit = row.get(E_DEBIT);
    String credit = row.get(E_CREDIT);
    if ((debit == null) == (credit == null)) {
      return "give exactly one of debit and credit";
    }
    String column = debit != null ? "debit" : "credit";
    String raw = debit != null ? debit : credit;
    if (raw.startsWith("-")) {
      return column + ": '" + raw + "' is negative; put the amount in the " + (debit != null ? "credit" : "debit")
          + " column instead";
    }
    if (!amountPattern.matcher(raw).matches()) {
      return column + ": '" + raw + "' is not an amount (decimal separator '" + options.decimalSeparator()
          + "', no thousands separators)";
    }
    BigDecimal amount = new BigDecimal(options.decimalSeparator() == ',' ? raw.replace(',', '.') : raw);
    if (amount.precision() - amount.scale() > MAX_INTEGER_DIGITS) {
      return column + ": '" + raw + "' is too large";
    }
    String problem = io.nexus.financial.EntryRules.amountProblem(column, amount, raw, currency);
    if (problem != null) {
      return problem;
    }
    amount = amount.setScale(currency.getDefaultFractionDigits(), java.math.RoundingMode.UNNECESSARY);
    e.lineAccounts.add(a.id());
    e.debits.add(debit != null ? amount : BigDecimal.ZERO);
    e.credits.add(credit != null ? amount : BigDecimal.ZERO);
    e.lineCurrencies.add(cur);
    return null;
  }

  private LocalDate date(RowSource.RawRow row) {
    String text = row.get(E_DATE);
    if (text != null && text.equals(lastDateText)) {
      return lastDate;
    }
    LocalDate d = io.nexus.financial.IsoDate.parseOrNull(text);
    if (d == null) {
      error(row.line(), io.nexus.financial.IsoDate.problem("date", text));
      return null;
    }
    lastDateText = text;
    lastDate = d;
    return d;
  }

  /** Closes the pending entry: balanced and complete entries join the batch. */
  private void finishEntry() throws SQLException {
    Pending e = pending;
    pending = null;
    if (e == null || e.bad) {
      return;
    }
    String where = e.firstLine == e.lastLine ? "line " + e.firstLine : "lines " + e.firstLine + "-" + e.lastLine;
    if (e.lineAccounts.size() < 2) {
      error(e.firstLine, "entry " + e.key + " (" + where + ") has one line; an entry needs at least two");
      return;
    }
    var net = new LinkedHashMap<String, BigDecimal>();
    for (int i = 0; i < e.lineAccounts.size(); i++) {
      net.merge(e.lineCurrencies.get(i), e.debits.get(i).subtract(e.credits.get(i)), BigDecimal::add);
    }
    String imbalance = io.nexus.financial.EntryRules.imbalance(net);
    if (imbalance != null) {
      error(e.firstLine, "entry " + e.key + " (" + where + ") " + imbalance);
      return;
    }
    if (options.allOrNothing() && errorCount > 0) {
      return; // nothing will be committed; keep checking, stop writing
    }
    UUID id = UUID.randomUUID();
    entryBatch.append(id).append('\t').append(ledger).append('\t').append(e.date).append('\t');
    text(entryBatch, e.description).append('\t');
    text(entryBatch, e.counterparty).append('\t');
    text(entryBatch, e.document).append('\t');
    text(entryBatch, postedBy).append('\t').append(importId).append('\t');
    text(entryBatch, e.time == null ? null : e.time.toString()).append('\n');
    for (int i = 0; i < e.lineAccounts.size(); i++) {
      lineBatch.append(id).append('\t').append(i + 1).append('\t').append(e.lineAccounts.get(i)).append('\t')
          .append(e.debits.get(i).toPlainString()).append('\t').append(e.credits.get(i).toPlainString()).append('\t')
          .append(e.lineCurrencies.get(i)).append('\n');
    }
    if (++batched >= BATCH_ENTRIES) {
      flush();
    }
  }

  /**
   * Hands the batch to the writer thread, after the previous batch is written: PostgreSQL
   * copies one batch while this thread reads and checks the next (two cores, both busy).
   */
  private void flush() throws SQLException {
    if (batched == 0) {
      return;
    }
    if (options.allOrNothing() && errorCount > 0) {
      entryBatch.setLength(0);
      lineBatch.setLength(0);
      batched = 0;
      return;
    }
    byte[] entryBytes = entryBatch.toString().getBytes(StandardCharsets.UTF_8);
    byte[] lineBytes = lineBatch.toString().getBytes(StandardCharsets.UTF_8);
    awaitWriter();
    int n = batched;
    writing = writer.submit(() -> {
      copy.copyIn("COPY entries (id, ledger_id, booking_date, description, counterparty, document_number, posted_by, import_id, "
          + "entry_time) FROM STDIN", new ByteArrayInputStream(entryBytes));
      copy.copyIn("COPY entry_lines (entry_id, line_no, account_id, debit, credit, currency) FROM STDIN",
          new ByteArrayInputStream(lineBytes));
      return n;
    });
    batched = 0;
    entryBatch.setLength(0);
    lineBatch.setLength(0);
  }

  /** Waits for the batch being written; its failure becomes this thread's. */
  private void awaitWriter() throws SQLException {
    if (writing == null) {
      return;
    }
    try {
      entriesWritten += writing.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while writing", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof SQLException se ? se : new SQLException("COPY failed", e.getCause());
    } finally {
      writing = null;
    }
  }

  private void error(long line, String message) {
    errorCount++;
    if (errors.size() < KEPT_ERRORS) {
      errors.add(new ImportError(line, message));
    }
  }

  private static Currency currencyOf(String code) {
    try {
      Currency c = Currency.getInstance(code);
      return c.getDefaultFractionDigits() < 0 ? null : c;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String limit(String s, int max, String whenNull) {
    if (s == null) {
      return whenNull;
    }
    return s.length() <= max ? s : s.substring(0, max);
  }

  /** Appends a value in COPY text format: \N for null, backslash escapes for the rest. */
  private static StringBuilder text(StringBuilder sb, String s) {
    if (s == null) {
      return sb.append("\\N");
    }
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '\\' -> sb.append("\\\\");
        case '\t' -> sb.append("\\t");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        default -> {
          if (ch < 0x20) {
            sb.append(' ');
          } else {
            sb.append(ch);
          }
        }
      }
    }
    return sb;
  }
}
