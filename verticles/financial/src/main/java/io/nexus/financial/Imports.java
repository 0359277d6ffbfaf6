package io.nexus.financial;

import io.nexus.contracts.Wire;
import io.nexus.contracts.financial.Financial.ImportFormat;
import io.nexus.contracts.financial.Financial.ImportMode;
import io.nexus.contracts.financial.Financial.ImportStatus;
import io.nexus.contracts.financial.Financial.ImportEnded;

import io.nexus.contracts.Codec;
import io.nexus.contracts.ErrorCode;
import io.nexus.contracts.Principal;
import io.nexus.contracts.financial.Financial;
import io.nexus.contracts.financial.Financial.BeginUpload;
import io.nexus.contracts.financial.Financial.ColumnMapping;
import io.nexus.contracts.financial.Financial.CreateImport;
import io.nexus.contracts.financial.Financial.ImportError;
import io.nexus.contracts.financial.Financial.ImportProgress;
import io.nexus.contracts.financial.Financial.ImportRef;
import io.nexus.contracts.financial.Financial.ImportView;
import io.nexus.contracts.financial.Financial.UploadTarget;
import io.nexus.financial.imports.ChunkPipe;
import io.nexus.financial.imports.ImportJob;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.db.PgConfig;
import io.nexus.kernel.events.EventStore;
import io.nexus.kernel.events.NewEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bulk imports: an import is created with its options, then its file is streamed in chunks
 * over the event bus to the instance that claimed it, which checks and writes it with
 * {@code COPY} on a worker thread in one transaction. Progress goes to
 * {@code ui.org.<org>.imports.<id>}; the outcome (completed, rejected, failed) is a row here and
 * an event in the log, committed with the data.
 */
final class Imports {
  private static final Logger LOG = LoggerFactory.getLogger(Imports.class);
  private static final int CHUNK_BYTES = 256 * 1024;
  private static final int MAX_RUNNING = 2;
  private static final long IDLE_SECONDS = 60;
  private static final String VIEW_COLUMNS = "id, ledger_id, format, mode, rows_done, bytes_done, bytes_total, "
      + "entries_imported, error_count, errors, sha256, created_at, finished_at, "
      + "CASE WHEN status = " + ImportStatus.RECEIVING.sql() + " AND updated_at < now() - interval '2min' "
      + "THEN " + ImportStatus.FAILED.sql() + " ELSE status END AS status";

  private final Vertx vertx;
  private final Pool pool;
  private final Ledger ledger;
  private final PgConfig pg;
  private final String schema;
  private final WorkerExecutor workers;
  private final AtomicInteger running = new AtomicInteger();

  Imports(Vertx vertx, Pool pool, Ledger ledger, PgConfig pg, String schema) {
    this.vertx = vertx;
    this.pool = pool;
    this.ledger = ledger;
    this.pg = pg;
    this.schema = schema;
    this.workers = vertx.createSharedWorkerExecutor("nexus-imports", MAX_RUNNING, 6, TimeUnit.HOURS);
  }

  Future<ImportView> create(CreateImport req, Call call) {
    Principal p = call.requirePrincipal();
    ImportMode mode = req.mode() == null ? ImportMode.ALL_OR_NOTHING : req.mode();
    String delimiter = req.delimiter() == null ? "," : req.delimiter();
    String decimal = req.decimalSeparator() == null ? "." : req.decimalSeparator();
    if (req.format() == ImportFormat.CSV && delimiter.equals(decimal)) {
      throw BusFailure.badRequest("delimiter and decimalSeparator are both '" + decimal + "'; choose different ones");
    }
    var mapping = new JsonObject();
    for (ColumnMapping m : req.mapping() == null ? List.<ColumnMapping>of() : req.mapping()) {
      if (mapping.containsKey(m.column())) {
        throw BusFailure.badRequest("mapping: column " + m.column() + " is mapped twice");
      }
      mapping.put(m.column(), m.header());
    }
    var options = new JsonObject().put("delimiter", delimiter).put("decimalSeparator", decimal).put("mapping", mapping);
    UUID id = UUID.randomUUID();
    return pool.withConnection(c -> ledger.ownLedger(c, p, req.ledgerId())
        .compose(l -> c.preparedQuery("INSERT INTO imports (id, ledger_id, org, created_by, format, mode, options, status) "
                + "VALUES ($1, $2, $3, $4, $5, $6, $7, " + ImportStatus.CREATED.sql() + ") RETURNING " + VIEW_COLUMNS)
            .execute(Tuple.of(id, l, UUID.fromString(p.org()), p.subject(), req.format().wire(), mode.wire(), options))))
        .map(rows -> view(rows.iterator().next()));
  }

  Future<ImportView> get(ImportRef req, Call call) {
    return ledger.one(call.requirePrincipal(), req.ledgerId(), "import", req.importId(),
        "SELECT " + VIEW_COLUMNS + " FROM imports", Imports::view);
  }

  /** Claims a created import, opens its upload address and starts the job that reads from it. */
  Future<UploadTarget> begin(BeginUpload req, Call call) {
    Principal p = call.requirePrincipal();
    UUID id = Ledger.uuid(req.importId());
    if (id == null) {
      return Future.failedFuture(BusFailure.notFound("no import " + req.importId()));
    }
    if (running.incrementAndGet() > MAX_RUNNING) {
      running.decrementAndGet();
      return Future.failedFuture(new BusFailure(ErrorCode.TOO_MANY_REQUESTS, MAX_RUNNING
          + " imports are running on this instance; retry shortly", 10L));
    }
    return pool.withTransaction(c -> ledger.ownLedger(c, p, req.ledgerId())
            .compose(l -> c.preparedQuery("UPDATE imports SET status = " + ImportStatus.RECEIVING.sql() + ", bytes_total = $3, updated_at = now() "
                    + "WHERE id = $1 AND ledger_id = $2 AND status = " + ImportStatus.CREATED.sql() + " RETURNING format, mode, options")
                .execute(Tuple.of(id, l, req.bytesTotal()))
                .compose(rows -> rows.size() == 1 ? Future.succeededFuture(rows.iterator().next())
                    : c.preparedQuery("SELECT status FROM imports WHERE id = $1 AND ledger_id = $2").execute(Tuple.of(id, l))
                        .compose(s -> Future.failedFuture(s.size() == 0 ? BusFailure.notFound("no import " + req.importId())
                            : BusFailure.conflict("import " + req.importId() + " is " + s.iterator().next().getString("status")
                                + "; a file is uploaded once: create a new import"))))
                .map(r -> new Object[] {l, r})))
        .compose(found -> {
          UUID ledgerId = (UUID) found[0];
          Row r = (Row) found[1];
          JsonObject o = (JsonObject) r.getValue("options");
          var mapping = new HashMap<String, String>();
          o.getJsonObject("mapping", new JsonObject()).forEach(e -> mapping.put(e.getKey(), (String) e.getValue()));
          var options = new ImportJob.Options(Wire.parse(ImportFormat.class, r.getString("format")),
              Wire.parse(ImportMode.class, r.getString("mode")) == ImportMode.ALL_OR_NOTHING,
              o.getString("delimiter").charAt(0), o.getString("decimalSeparator").charAt(0), mapping);
          return open(id, ledgerId, p, options, req.bytesTotal(), call);
        })
        .onFailure(err -> running.decrementAndGet());
  }

  private Future<UploadTarget> open(UUID id, UUID ledgerId, Principal p, ImportJob.Options options, Long bytesTotal, Call call) {
    Context context = vertx.getOrCreateContext();
    String address = "nexus.financial.uploads." + id;
    var pipe = new ChunkPipe(context, IDLE_SECONDS);
    var upload = new Upload();
    MessageConsumer<Buffer> consumer = vertx.eventBus().consumer(address);
    consumer.handler(msg -> upload.receive(msg, pipe));
    upload.consumer = consumer;
    String progressAddress = Financial.importProgress(p.org(), id.toString());
    workers.<ImportView>executeBlocking(() -> runJob(id, ledgerId, p, options, bytesTotal, pipe, call, context,
            progressAddress), false)
        .onComplete(ar -> {
          running.decrementAndGet();
          ImportView view = ar.succeeded() ? ar.result() : null;
          if (ar.failed()) {
            LOG.error("import failed to record its outcome [import: {}]", id, ar.cause());
          }
          if (view != null) {
            vertx.eventBus().publish(progressAddress, Codec.toJson(new ImportProgress(id.toString(), view.status(),
                view.rowsDone(), view.bytesDone(), view.bytesTotal(), view.errorCount())));
          }
          upload.finished(view, ar.cause());
        });
    return consumer.completion().map(v -> new UploadTarget(address, CHUNK_BYTES));
  }

  /** The upload's bus side: chunks in order, the end, an abort; the final answer once the job is done. */
  private final class Upload {
    MessageConsumer<Buffer> consumer;
    long expected;
    Message<Buffer> endMessage;
    boolean done;
    ImportView view;
    Throwable failure;
    long timer = -1;

    void receive(Message<Buffer> msg, ChunkPipe pipe) {
      if (done) {
        answer(msg);
        return;
      }
      if (msg.headers().contains("abort")) {
        pipe.abort("the upload was interrupted: " + msg.headers().get("abort"));
        msg.reply(null);
        return;
      }
      long seq = Long.parseLong(msg.headers().get("seq"));
      if (seq != expected) {
        pipe.abort("chunk " + seq + " arrived, expected " + expected);
        msg.fail(400, "chunk " + seq + " arrived, expected " + expected);
        return;
      }
      expected++;
      if (msg.headers().contains("end")) {
        endMessage = msg;
        pipe.end();
      } else {
        pipe.offer(msg.body().getBytes(), () -> msg.reply(null));
      }
    }

    void finished(ImportView v, Throwable err) {
      done = true;
      view = v;
      failure = err;
      if (endMessage != null) {
        answer(endMessage);
        consumer.unregister();
      } else {
        // the job ended before the upload did (it failed); answer what still arrives for a while
        timer = vertx.setTimer(TimeUnit.SECONDS.toMillis(IDLE_SECONDS), t -> consumer.unregister());
      }
    }

    void answer(Message<Buffer> msg) {
      if (view != null) {
        msg.reply(Codec.toJson(view), new io.vertx.core.eventbus.DeliveryOptions().addHeader("final", "true"));
      } else {
        msg.fail(500, "the import failed; see its status");
      }
      if (msg == endMessage || msg.headers().contains("end")) {
        if (timer >= 0) {
          vertx.cancelTimer(timer);
        }
        consumer.unregister();
      }
    }
  }

  /** The job on a worker thread: read, check, COPY, then commit the outcome with its event (or roll back). */
  private ImportView runJob(UUID id, UUID ledgerId, Principal p, ImportJob.Options options, Long bytesTotal, ChunkPipe pipe,
      Call call, Context context, String progressAddress) throws SQLException {
    try (Connection c = jdbc()) {
      c.setAutoCommit(false);
      ImportJob.Result result;
      ImportStatus status;
      try {
        String currency = ledgerCurrency(c, ledgerId);
        var accounts = accounts(c, ledgerId);
        var job = new ImportJob(c, ledgerId, currency, accounts, id, p.subject(), options,
            pr -> context.runOnContext(v -> progress(id, progressAddress, pr, bytesTotal)));
        result = job.run(pipe);
        boolean nothing = result.entries() == 0 && !result.clean();
        status = (options.allOrNothing() && !result.clean()) || nothing ? ImportStatus.REJECTED : ImportStatus.COMPLETED;
      } catch (IOException e) {
        c.rollback();
        result = new ImportJob.Result(0, 0, 0, 1, List.of(new ImportError(0, e.getMessage() + "; nothing was imported")), null);
        status = ImportStatus.FAILED;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        LOG.error("import failed [import: {}]", id, e);
        result = new ImportJob.Result(0, 0, 0, 1, List.of(new ImportError(0,
            "the import failed on the server (correlation id " + call.correlationId() + "); nothing was imported")), null);
        status = ImportStatus.FAILED;
      }
      boolean completed = status == ImportStatus.COMPLETED;
      if (!completed) {
        c.rollback();
      }
      // the outcome: the import's row and its event, with the data when completed, alone otherwise
      var errors = new JsonArray();
      result.errors().forEach(e -> errors.add(new JsonObject().put("line", e.line()).put("message", e.message())));
      try (var st = c.prepareStatement("UPDATE imports SET status = ?, rows_done = ?, bytes_done = ?, entries_imported = ?, "
          + "error_count = ?, errors = ?::jsonb, sha256 = ?, finished_at = now(), updated_at = now() WHERE id = ?")) {
        st.setString(1, status.wire());
        st.setLong(2, result.rows());
        st.setLong(3, result.bytes());
        st.setLong(4, completed ? result.entries() : 0);
        st.setLong(5, result.errorCount());
        st.setString(6, errors.encode());
        st.setString(7, result.sha256());
        st.setObject(8, id);
        st.executeUpdate();
      }
      var ended = new ImportEnded(id.toString(), ledgerId.toString(), p.org(), status, options.format(),
          options.allOrNothing() ? ImportMode.ALL_OR_NOTHING : ImportMode.VALID_ROWS, result.rows(),
          completed ? result.entries() : 0, result.errorCount(), result.sha256());
      var type = switch (status) {
        case COMPLETED -> Financial.IMPORT_COMPLETED;
        case REJECTED -> Financial.IMPORT_REJECTED;
        default -> Financial.IMPORT_FAILED;
      };
      EventStore.appendToNewStream(c, type.stream(id), List.of(NewEvent.of(type, ended)), call);
      c.commit();
      c.setAutoCommit(true);
      EventStore.ringBlocking(c);
      if (completed && result.entries() > 0) {
        // fresh statistics: a large import would otherwise leave the planner guessing until autovacuum comes by
        ImportJob.analyze(c);
      }
      LOG.info("import {} [import: {}, rows: {}, entries: {}, errors: {}]", status.wire(), id, result.rows(), result.entries(),
          result.errorCount());
      return readView(c, id);
    }
  }

  private static ImportView readView(Connection c, UUID id) throws SQLException {
    try (var st = c.prepareStatement("SELECT status, format, mode, ledger_id, rows_done, bytes_done, "
        + "bytes_total, entries_imported, error_count, errors::text, sha256, created_at, finished_at FROM imports "
        + "WHERE id = ?")) {
      st.setObject(1, id);
      try (var rs = st.executeQuery()) {
        rs.next();
        var errors = new ArrayList<ImportError>();
        for (Object e : new JsonArray(rs.getString(10))) {
          JsonObject o = (JsonObject) e;
          errors.add(new ImportError(o.getLong("line"), o.getString("message")));
        }
        long total = rs.getLong(7);
        Long bytesTotal = rs.wasNull() ? null : total;
        return new ImportView(id.toString(), rs.getString(4), Wire.parse(ImportStatus.class, rs.getString(1)),
            Wire.parse(ImportFormat.class, rs.getString(2)), Wire.parse(ImportMode.class, rs.getString(3)), rs.getLong(5),
            rs.getLong(6), bytesTotal, rs.getLong(8), rs.getLong(9), errors, rs.getString(11),
            rs.getObject(12, java.time.OffsetDateTime.class).toString(),
            rs.getObject(13, java.time.OffsetDateTime.class) == null ? null
                : rs.getObject(13, java.time.OffsetDateTime.class).toString());
      }
    }
  }

  private void progress(UUID id, String address, ImportJob.Progress pr, Long bytesTotal) {
    vertx.eventBus().publish(address, Codec.toJson(new ImportProgress(id.toString(), ImportStatus.RECEIVING, pr.rowsDone(),
        pr.bytesDone(), bytesTotal, pr.errorCount())));
    pool.preparedQuery("UPDATE imports SET rows_done = $2, bytes_done = $3, error_count = $4, updated_at = now() "
            + "WHERE id = $1 AND status = " + ImportStatus.RECEIVING.sql())
        .execute(Tuple.of(id, pr.rowsDone(), pr.bytesDone(), pr.errorCount()))
        .onFailure(err -> LOG.warn("import progress not saved [import: {}]: {}", id, err.getMessage()));
  }

  private Connection jdbc() throws SQLException {
    var props = new Properties();
    props.setProperty("user", pg.user());
    if (pg.password() != null) {
      props.setProperty("password", pg.password());
    }
    props.setProperty("currentSchema", schema + ",public");
    props.setProperty("ApplicationName", "nexus-" + schema + "-import");
    // the session waits inside its transaction for the upload's next chunk, up to IDLE_SECONDS: its
    // own limit, a little longer than that, instead of the commands' short one
    var settings = new java.util.HashMap<>(pg.sessionSettings());
    settings.put("idle_in_transaction_session_timeout", Long.toString((IDLE_SECONDS + 30) * 1000));
    var options = new StringBuilder();
    settings.forEach((k, v) -> options.append(options.isEmpty() ? "" : " ").append("-c ").append(k).append('=').append(v));
    props.setProperty("options", options.toString());
    return DriverManager.getConnection(pg.jdbcUrl(), props);
  }

  private static String ledgerCurrency(Connection c, UUID ledger) throws SQLException {
    try (var st = c.prepareStatement("SELECT currency FROM ledgers WHERE id = ?")) {
      st.setObject(1, ledger);
      try (var rs = st.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  private static Map<String, ImportJob.Account> accounts(Connection c, UUID ledger) throws SQLException {
    var out = new LinkedHashMap<String, ImportJob.Account>();
    try (var st = c.prepareStatement("SELECT code, id, active FROM accounts WHERE ledger_id = ?")) {
      st.setObject(1, ledger);
      try (var rs = st.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), new ImportJob.Account((UUID) rs.getObject(2), rs.getBoolean(3)));
        }
      }
    }
    return out;
  }

  private static ImportView view(Row r) {
    var errors = new ArrayList<ImportError>();
    Object e = r.getValue("errors");
    JsonArray arr = e instanceof JsonArray a ? a : new JsonArray(String.valueOf(e));
    for (Object o : arr) {
      JsonObject j = (JsonObject) o;
      errors.add(new ImportError(j.getLong("line"), j.getString("message")));
    }
    return new ImportView(r.getUUID("id").toString(), r.getUUID("ledger_id").toString(),
        Wire.parse(ImportStatus.class, r.getString("status")),
        Wire.parse(ImportFormat.class, r.getString("format")), Wire.parse(ImportMode.class, r.getString("mode")),
        r.getLong("rows_done"), r.getLong("bytes_done"), r.getLong("bytes_total"),
        r.getLong("entries_imported"), r.getLong("error_count"), errors, r.getString("sha256"),
        r.getOffsetDateTime("created_at").toString(),
        r.getOffsetDateTime("finished_at") == null ? null : r.getOffsetDateTime("finished_at").toString());
  }

  Future<Void> close() {
    return workers.close();
  }
}
