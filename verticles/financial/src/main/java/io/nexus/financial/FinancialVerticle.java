package io.nexus.financial;

import io.nexus.contracts.financial.Financial;
import io.nexus.kernel.bus.Bus;
import io.nexus.kernel.db.Database;
import io.nexus.kernel.db.PgConfig;
import io.nexus.kernel.discovery.ServiceInstance;
import io.nexus.kernel.events.EventStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Financial Examiner: an organisation's ledgers, chart of accounts and journal entries. */
public final class FinancialVerticle extends VerticleBase {
  /** The service name in discovery and in {@code NEXUS_SERVICES}. */
  public static final String SERVICE = "financial";
  private static final Logger LOG = LoggerFactory.getLogger(FinancialVerticle.class);
  private static final String VERSION = "1";
  private static final long INTERNAL_TIMEOUT_MS = 3000;

  private Database db;
  private Bus bus;
  private ServiceInstance instance;
  private Imports imports;

  @Override
  public Future<?> start() {
    var pg = PgConfig.from(config());
    db = Database.connect(vertx, pg, SERVICE);
    bus = Bus.on(vertx, config(), INTERNAL_TIMEOUT_MS);
    var store = new EventStore(db.pool());
    var ledger = new Ledger(db.pool(), store);
    var statements = new Statements(db.pool(), ledger);
    var reading = new EntrySearchQuery(db.pool(), ledger);
    var benford = new BenfordReports(db.pool(), ledger);
    imports = new Imports(vertx, db.pool(), ledger, pg, SERVICE);
    var findings = new Findings(db.pool(), store, ledger);
    var jobs = new ExaminationJobs(vertx, db.pool(), store, ledger, findings);
    return db.migrate()
        .compose(v -> bus
            .handle(Financial.CREATE_LEDGER, ledger::createLedger)
            .handle(Financial.LIST_LEDGERS, ledger::listLedgers)
            .handle(Financial.CREATE_ACCOUNT, ledger::createAccount)
            .handle(Financial.LIST_ACCOUNTS, ledger::listAccounts)
            .handle(Financial.POST_ENTRY, ledger::post)
            .handle(Financial.REVERSE_ENTRY, ledger::reverse)
            .handle(Financial.GET_ENTRY, ledger::get)
            .handle(Financial.TRIAL_BALANCE, ledger::trialBalance)
            .handle(Financial.BALANCE_SHEET, statements::balanceSheet)
            .handle(Financial.INCOME_STATEMENT, statements::incomeStatement)
            .handle(Financial.SEARCH_ENTRIES, reading::search)
            .handle(Financial.ACCOUNT_HISTORY, reading::history)
            .handle(Financial.ACCOUNT_SERIES, reading::series)
            .handle(Financial.BENFORD, benford::benford)
            .handle(Financial.CREATE_IMPORT, imports::create)
            .handle(Financial.GET_IMPORT, imports::get)
            .handle(Financial.BEGIN_UPLOAD, imports::begin)
            .handle(Financial.GET_RULE_SETTINGS, jobs::settings)
            .handle(Financial.PUT_RULE_SETTINGS, jobs::putSettings)
            .handle(Financial.START_EXAMINATION, jobs::start)
            .handle(Financial.GET_EXAMINATION, jobs::get)
            .handle(Financial.LIST_EXAMINATIONS, jobs::list)
            .handle(Financial.CANCEL_EXAMINATION, jobs::cancel)
            .handle(Financial.LIST_FINDINGS, findings::list)
            .handle(Financial.FINDING_SUMMARY, findings::summary)
            .handle(Financial.GET_FINDING, findings::get)
            .handle(Financial.UPDATE_FINDING, findings::update)
            .handle(Financial.COMMENT_FINDING, findings::comment)
            .handle(Financial.RAISE_FINDINGS, findings::raiseExternal)
            .handle(Financial.IMPORT_ENTRIES, reading::importEntries)
            .bind())
        .compose(b -> ServiceInstance.announce(vertx, config(), SERVICE, VERSION, b.addresses()))
        .onSuccess(i -> {
          instance = i;
          LOG.info("financial bound [endpoints: {}]", Financial.ENDPOINTS.size());
        });
  }

  @Override
  public Future<?> stop() {
    Future<Void> withdrawn = instance == null ? Future.succeededFuture() : instance.withdraw();
    return withdrawn.compose(v -> bus.unbind()).eventually(() -> imports.close()).eventually(() -> db.close());
  }
}
