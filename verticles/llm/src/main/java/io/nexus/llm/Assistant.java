package io.nexus.llm;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.nexus.contracts.Codec;
import io.nexus.contracts.Empty;
import io.nexus.contracts.Principal;
import io.nexus.contracts.Role;
import io.nexus.contracts.llm.Llm;
import io.nexus.contracts.llm.Llm.AnswerGiven;
import io.nexus.contracts.llm.Llm.AnswerMode;
import io.nexus.contracts.llm.Llm.AnswerToken;
import io.nexus.contracts.llm.Llm.Ask;
import io.nexus.contracts.llm.Llm.AssistantBudget;
import io.nexus.contracts.llm.Llm.Citation;
import io.nexus.contracts.llm.Llm.CitedFact;
import io.nexus.contracts.llm.Llm.SetBudget;
import io.nexus.contracts.llm.Llm.Usage;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.events.EventStore;
import io.nexus.kernel.events.NewEvent;
import io.nexus.llm.answer.Budget;
import io.nexus.llm.answer.CheckedStream;
import io.nexus.llm.answer.CitationCheck;
import io.nexus.llm.answer.Extractive;
import io.nexus.llm.answer.ModelBackend;
import io.nexus.llm.answer.Prompt;
import io.nexus.llm.facts.ChunkStore;
import io.nexus.llm.facts.ChunkStore.StoredFact;
import io.nexus.llm.index.SearchIndex;
import io.nexus.llm.index.SearchIndex.Filter;
import io.nexus.llm.index.SearchIndex.Hit;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The assistant: retrieves the caller's facts most relevant to the question (the hybrid search,
 * with the findings' own rankings fused in: the examination's conclusions come first),
 * then answers with the model — the facts sent as quoted data under an instruction hierarchy — or,
 * without one (none configured, its breaker open, it failed, timed out or stalled, the budget
 * unknown), composes the answer from the facts themselves. Either way every sentence is checked
 * before it is streamed or returned, and the answer is recorded in the log without its text.
 */
final class Assistant {
  private static final Logger LOG = LoggerFactory.getLogger(Assistant.class);
  /** The extractive answer's model name. */
  static final String EXTRACTIVE = "extractive";
  private static final int QUOTE_CHARS = 200;

  private final Vertx vertx;
  private final Pool pool;
  private final EventStore events;
  private final ChunkStore store;
  private final Search search;
  private final SearchIndex index;
  private final WorkerExecutor workers;
  private final ModelBackend model;
  private final Budget budget;
  private final long defaultTokensPerDay;
  private final int contextFacts;
  private final MeterRegistry meters;

  /** @param model the model server, or null when none is configured */
  Assistant(Vertx vertx, Pool pool, EventStore events, ChunkStore store, Search search, SearchIndex index, WorkerExecutor workers,
      ModelBackend model, Budget budget, long defaultTokensPerDay, int contextFacts, MeterRegistry meters) {
    this.vertx = vertx;
    this.pool = pool;
    this.events = events;
    this.store = store;
    this.search = search;
    this.index = index;
    this.workers = workers;
    this.model = model;
    this.budget = budget;
    this.defaultTokensPerDay = defaultTokensPerDay;
    this.contextFacts = contextFacts;
    this.meters = meters != null ? meters : new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
  }

  Future<Llm.Answer> ask(Ask q, Call call) {
    Principal p = call.requirePrincipal();
    String question = q.question().strip();
    if (question.isEmpty()) {
      return Future.failedFuture(BusFailure.badRequest("question: ask something"));
    }
    UUID ledger;
    try {
      ledger = q.ledgerId() == null ? null : UUID.fromString(q.ledgerId());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(BusFailure.badRequest("ledgerId: not a ledger id (a UUID)"));
    }
    UUID org = UUID.fromString(p.org());
    String id = q.id() != null ? q.id() : UUID.randomUUID().toString();
    String stream = Llm.answerStream(p.subject(), id);
    long started = System.nanoTime();
    return tokensPerDay(org)
        .compose(limit -> budget.admit(org, limit))
        .compose(admission -> workers.executeBlocking(() -> {
          Set<String> terms = index.terms(question);
          List<Hit> hits = search.retrieve(org, question, new Filter(Set.of(), ledger), contextFacts, true).stream()
              .map(Search.Found::hit).toList();
          return new Retrieved(hits, terms);
        }, false).compose(r -> knownFacts(org, r.hits()).compose(known -> answer(id, org, ledger, question, r, known, admission,
            stream))))
        .compose(a -> record(a, ledger, call).map(a))
        .onSuccess(a -> {
          Timer.builder("nexus_llm_answer_seconds").tag("mode", a.mode().wire()).register(meters)
              .record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
          Counter.builder("nexus_llm_answers_total").tag("mode", a.mode().wire()).register(meters).increment();
          if (a.dropped() > 0) {
            Counter.builder("nexus_llm_sentences_dropped_total").register(meters).increment(a.dropped());
          }
        });
  }

  private record Retrieved(List<Hit> hits, Set<String> terms) {}

  /** The retrieved facts as the citation check reads them, from the table (the caller's organisation only). */
  private Future<Map<String, List<StoredFact>>> knownFacts(UUID org, List<Hit> hits) {
    var keys = hits.stream().map(h -> h.kind().wire() + ":" + h.factId()).distinct().toList();
    return store.facts(org, keys).map(found -> {
      var m = new HashMap<String, List<StoredFact>>();
      for (StoredFact f : found) {
        m.computeIfAbsent(CitationCheck.keyOf(f), k -> new ArrayList<>()).add(f);
      }
      return m;
    });
  }

  private Future<Llm.Answer> answer(String id, UUID org, UUID ledger, String question, Retrieved r,
      Map<String, List<StoredFact>> known, Budget.Admission admission, String stream) {
    String fallback = model == null ? null
        : admission == Budget.Admission.EXTRACTIVE_ONLY ? "budget-unknown"
        : !model.available() ? "breaker-open"
        : r.hits().isEmpty() ? "no-facts" : null;
    if (model == null || fallback != null) {
      return extractive(id, org, ledger, r, known, stream, fallback);
    }
    var seq = new AtomicInteger();
    var checked = new CheckedStream(known, keys -> store.facts(org, keys), ledger, text -> token(stream, id, seq, text));
    Counter.builder("nexus_llm_requests_total").tag("backend", "model").register(meters).increment();
    return model.generate(Prompt.SYSTEM, Prompt.user(question, r.hits()), checked::piece)
        .compose(g -> {
          Counter.builder("nexus_llm_tokens_total").tag("direction", "in").register(meters).increment(g.promptTokens());
          Counter.builder("nexus_llm_tokens_total").tag("direction", "out").register(meters).increment(g.completionTokens());
          return budget.charge(org, g.promptTokens() + g.completionTokens())
              .compose(v -> checked.end())
              .map(c -> {
                token(stream, id, seq, null);
                return new Llm.Answer(id, AnswerMode.GENERATIVE, model.modelName(), c.text(), citations(c.cited(), checked.facts()),
                    c.dropped(), new Usage(g.promptTokens(), g.completionTokens()), null);
              });
        })
        .recover(err -> {
          String reason = err instanceof ModelBackend.Failed f ? f.reason() : "error";
          LOG.warn("the model did not answer; answering extractively [reason: {}]: {}", reason, err.getMessage());
          return extractive(id, org, ledger, r, known, stream, reason);
        });
  }

  private Future<Llm.Answer> extractive(String id, UUID org, UUID ledger, Retrieved r, Map<String, List<StoredFact>> known,
      String stream, String fallback) {
    if (fallback != null) {
      Counter.builder("nexus_llm_fallbacks_total").tag("reason", fallback).register(meters).increment();
    }
    String text = Extractive.answer(r.hits(), r.terms(), index::terms);
    var seq = new AtomicInteger();
    // a stream the model began is restarted: the watcher is told to discard what it had
    if (fallback != null) {
      publish(stream, new AnswerToken(id, seq.getAndIncrement(), "", false));
    }
    var checked = new CheckedStream(known, keys -> store.facts(org, keys), ledger, t -> token(stream, id, seq, t));
    checked.piece(text);
    return checked.end().map(c -> {
      token(stream, id, seq, null);
      return new Llm.Answer(id, AnswerMode.EXTRACTIVE, EXTRACTIVE, c.text(), citations(c.cited(), checked.facts()), c.dropped(),
          new Usage(0, 0), fallback);
    });
  }

  private static List<Citation> citations(List<String> keys, Map<String, List<StoredFact>> facts) {
    var out = new ArrayList<Citation>();
    for (String key : keys) {
      List<StoredFact> f = facts.get(key);
      StoredFact first = f.get(0);
      String quote = first.title() + ": " + first.text();
      out.add(new Citation(first.kind(), first.factId(), first.ledgerId() == null ? null : first.ledgerId().toString(),
          quote.length() > QUOTE_CHARS ? quote.substring(0, QUOTE_CHARS) + "…" : quote));
    }
    return out;
  }

  private void token(String stream, String id, AtomicInteger seq, String text) {
    publish(stream, new AnswerToken(id, seq.getAndIncrement(), text == null ? "" : text, text == null));
  }

  private void publish(String stream, AnswerToken t) {
    vertx.eventBus().publish(stream, Codec.toJson(t));
  }

  private Future<Void> record(Llm.Answer a, UUID ledger, Call call) {
    var given = new AnswerGiven(a.id(), ledger == null ? null : ledger.toString(), a.mode(), a.model(),
        a.citations().stream().map(c -> new CitedFact(c.kind(), c.id())).toList(), a.dropped(), a.usage(), a.fallback());
    return pool.withTransaction(tx -> events.append(tx, Llm.ANSWER_GIVEN.stream(a.id()), EventStore.NO_STREAM,
        List.of(NewEvent.of(Llm.ANSWER_GIVEN, given)), call))
        .recover(err -> Future.failedFuture(err instanceof BusFailure bf && bf.code() == io.nexus.contracts.ErrorCode.CONFLICT
            ? BusFailure.conflict("id: answer " + a.id() + " was given before; choose a new id") : err))
        .mapEmpty();
  }

  // ---- the budget ----

  private Future<Long> tokensPerDay(UUID org) {
    return pool.preparedQuery("SELECT tokens_per_day FROM budgets WHERE org = $1").execute(Tuple.of(org))
        .map(rows -> rows.size() == 0 ? defaultTokensPerDay : rows.iterator().next().getLong(0));
  }

  Future<AssistantBudget> getBudget(Empty e, Call call) {
    UUID org = UUID.fromString(call.requirePrincipal().org());
    return tokensPerDay(org).compose(limit -> budget.usedToday(org).map(used -> new AssistantBudget(limit, used, model != null,
        model == null ? EXTRACTIVE : model.modelName())));
  }

  Future<AssistantBudget> setBudget(SetBudget s, Call call) {
    Principal p = call.require(Role.ADMIN);
    UUID org = UUID.fromString(p.org());
    return pool.withTransaction(tx -> tx.preparedQuery("INSERT INTO budgets (org, tokens_per_day, set_by) VALUES ($1, $2, $3) "
            + "ON CONFLICT (org) DO UPDATE SET tokens_per_day = EXCLUDED.tokens_per_day, set_by = EXCLUDED.set_by, set_at = now()")
        .execute(Tuple.of(org, s.llmTokensPerDay(), p.subject()))
        .compose(v -> events.append(tx, Llm.BUDGET_SET.stream(org), EventStore.ANY, List.of(NewEvent.of(Llm.BUDGET_SET, s)), call)))
        .compose(v -> getBudget(new Empty(), call));
  }
}
