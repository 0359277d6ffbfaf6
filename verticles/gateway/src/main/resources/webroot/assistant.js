// The Assistant view: questions answered from the organisation's facts, the checked sentences
// arriving live on the caller's own bridge address, citations as links to the facts; the header's
// search box; examination reports drafted and downloaded. All text from the server goes in as text.
const $ = (id) => document.getElementById(id);
const CITATION = /\[(finding|entry|document|comment):([A-Za-z0-9._#:-]{1,140})\]/g;
let ctx;
let asking = false;

export function initAssistant(c) {
  ctx = c;
  $('ask-form').addEventListener('submit', (ev) => { ev.preventDefault(); ask(); });
  $('search-form').addEventListener('submit', (ev) => { ev.preventDefault(); search($('search-q').value); });
  $('report-ledger').addEventListener('change', () => loadExaminations());
  $('report-form').addEventListener('submit', (ev) => { ev.preventDefault(); draftReport(); });
  $('report-download').addEventListener('click', () => downloadReport());
}

function showView() {
  const tab = document.querySelector('.tab[data-view="assistant"]');
  if (tab.getAttribute('aria-selected') !== 'true') tab.click();
}

/** Text with its [kind:id] citations as buttons that open the fact. */
function withCitations(el, text, ledgerOf) {
  el.replaceChildren();
  let at = 0;
  for (const m of text.matchAll(CITATION)) {
    el.append(document.createTextNode(text.slice(at, m.index)));
    el.append(citeButton(m[1], m[2], ledgerOf(m[1], m[2])));
    at = m.index + m[0].length;
  }
  el.append(document.createTextNode(text.slice(at)));
}

function citeButton(kind, id, ledgerId) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'cite';
  b.dataset.kind = kind;
  b.dataset.id = id;
  b.textContent = kind + ':' + id.slice(0, 8);
  b.title = 'Open the ' + kind;
  b.addEventListener('click', () => openFact(kind, id, ledgerId));
  return b;
}

async function ask() {
  if (asking) return;
  const question = $('ask-q').value.trim();
  if (!question) {
    $('ask-status').textContent = 'Ask something first.';
    return;
  }
  asking = true;
  $('ask-button').disabled = true;
  const id = crypto.randomUUID();
  const address = 'ui.user.' + ctx.session.me.id + '.assistant.' + id;
  const text = $('answer-text');
  let streamed = '';
  $('answer').hidden = false;
  $('answer').dataset.state = 'streaming';
  text.textContent = '';
  $('answer-meta').textContent = '';
  $('answer-citations').replaceChildren();
  $('ask-status').textContent = 'Thinking…';
  if (ctx.bus) {
    ctx.bus.register(address, (t) => {
      if (!t || typeof t.text !== 'string') return;
      if (t.seq === 0 && t.text === '') streamed = ''; // the model's stream was replaced by the fallback
      streamed += t.text;
      if ($('answer').dataset.state === 'streaming') text.textContent = streamed;
    });
  }
  const body = { question, id };
  if ($('ask-ledger').value) body.ledgerId = $('ask-ledger').value;
  try {
    const a = await ctx.api('POST', '/assistant/ask', body);
    const ledgers = new Map(a.citations.map((c) => [c.kind + ':' + c.id, c.ledgerId]));
    $('answer').dataset.state = 'done';
    $('answer').dataset.mode = a.mode;
    withCitations(text, a.answer, (k, i) => ledgers.get(k + ':' + i));
    $('answer-meta').textContent = [a.mode === 'extractive' ? 'Composed from the facts (no model)' : 'Written by ' + a.model,
      a.fallback ? 'the model was not used: ' + a.fallback : null,
      a.dropped ? a.dropped + ' sentence' + (a.dropped === 1 ? '' : 's') + ' dropped by the citation check' : 'every citation checked',
      a.usage.promptTokens + a.usage.completionTokens ? (a.usage.promptTokens + a.usage.completionTokens) + ' tokens' : null]
      .filter(Boolean).join(' · ');
    $('answer-citations').replaceChildren(...a.citations.map((c) => {
      const li = document.createElement('li');
      const kind = document.createElement('span');
      kind.className = 'kind';
      kind.textContent = c.kind;
      const quote = document.createElement('span');
      quote.textContent = ' ' + c.quote;
      li.append(kind, citeButton(c.kind, c.id, c.ledgerId), quote);
      return li;
    }));
    $('ask-status').textContent = '';
  } catch (e) {
    $('answer').dataset.state = 'failed';
    $('ask-status').textContent = e.status === 429 ? 'Not now: ' + e.message : 'The assistant could not answer: ' + e.message;
  } finally {
    if (ctx.bus) ctx.bus.unregister(address);
    asking = false;
    $('ask-button').disabled = false;
  }
}

async function search(q) {
  q = (q || '').trim();
  if (!q) return;
  showView();
  $('search-results-box').hidden = false;
  $('search-title').textContent = 'Search: ' + q;
  $('search-meta').textContent = 'Searching…';
  try {
    const r = await ctx.api('GET', '/search?q=' + encodeURIComponent(q) + '&limit=20');
    $('search-meta').textContent = r.results.length + ' result' + (r.results.length === 1 ? '' : 's') + ' · '
      + (r.mode === 'hybrid' ? 'by words and meaning' : 'by words only (the embedding model is loading)');
    $('search-results').replaceChildren(...r.results.map((hit) => {
      const li = document.createElement('li');
      li.dataset.kind = hit.kind;
      li.dataset.id = hit.id;
      const kind = document.createElement('span');
      kind.className = 'kind';
      kind.textContent = hit.kind + (hit.page ? ' p. ' + hit.page : '');
      const title = document.createElement('button');
      title.type = 'button';
      title.className = 'linklike';
      title.textContent = hit.title;
      title.addEventListener('click', () => openFact(hit.kind, hit.id, hit.ledgerId));
      const snippet = document.createElement('div');
      snippet.className = 'snippet';
      let at = 0;
      for (const h of hit.highlights) {
        snippet.append(document.createTextNode(hit.snippet.slice(at, h.start)));
        const mark = document.createElement('mark');
        mark.textContent = hit.snippet.slice(h.start, h.end);
        snippet.append(mark);
        at = h.end;
      }
      snippet.append(document.createTextNode(hit.snippet.slice(at)));
      li.append(kind, title, snippet);
      return li;
    }));
  } catch (e) {
    $('search-meta').textContent = 'Search failed: ' + e.message;
    $('search-results').replaceChildren();
  }
}

/** Opens a cited fact: a finding or a document in its own view, an entry here. */
async function openFact(kind, id, ledgerId) {
  if (kind === 'finding' || kind === 'comment') {
    const finding = kind === 'comment' ? id.split('#')[0] : id;
    window.dispatchEvent(new CustomEvent('nexus:open-finding', { detail: { ledgerId, id: finding } }));
    return;
  }
  if (kind === 'document') {
    window.dispatchEvent(new CustomEvent('nexus:open-document', { detail: { id } }));
    return;
  }
  try {
    const e = await ctx.api('GET', '/ledgers/' + ledgerId + '/entries/' + id);
    $('fact').hidden = false;
    $('fact').dataset.id = id;
    $('fact-title').textContent = 'Entry ' + e.bookingDate + ' · ' + e.description;
    const amount = e.lines.filter((l) => l.debit).map((l) => l.debit + ' ' + l.currency).join(' + ');
    $('fact-body').textContent = [e.counterparty, amount, e.documentNumber, 'posted by ' + e.postedBy,
      e.reversedBy ? 'reversed by ' + e.reversedBy : null].filter(Boolean).join(' · ');
  } catch (err) {
    $('fact').hidden = false;
    $('fact-title').textContent = 'Entry ' + id;
    $('fact-body').textContent = 'Could not load it: ' + err.message;
  }
}

async function loadExaminations() {
  const ledger = $('report-ledger').value;
  if (!ledger) return;
  try {
    const r = await ctx.api('GET', '/ledgers/' + ledger + '/examinations');
    $('report-exam').replaceChildren(...r.examinations.map((x) => {
      const o = document.createElement('option');
      o.value = x.id;
      o.textContent = new Date(x.startedAt).toLocaleString() + ' · ' + x.status + ' · ' + x.findingsNew + ' new';
      return o;
    }));
  } catch (e) {
    $('report-status').textContent = e.message;
  }
}

function reportPath() {
  return '/ledgers/' + $('report-ledger').value + '/examinations/' + $('report-exam').value + '/report';
}

async function draftReport() {
  if (!$('report-exam').value) {
    $('report-status').textContent = 'Pick an examination first.';
    return;
  }
  try {
    const r = await ctx.api('POST', reportPath());
    $('report-status').textContent = 'Version ' + r.version + ' drafted: ' + r.findings + ' finding' + (r.findings === 1 ? '' : 's') + '.';
    $('report-text').hidden = false;
    $('report-text').textContent = r.markdown;
  } catch (e) {
    $('report-status').textContent = e.status === 403 ? 'Only an examiner may draft a report.' : 'Could not draft it: ' + e.message;
  }
}

async function downloadReport() {
  const r = await fetch('/api/v1' + reportPath(), { headers: { 'Authorization': 'Bearer ' + ctx.session.access } });
  if (!r.ok) {
    $('report-status').textContent = r.status === 404 ? 'No report drafted yet.' : 'Could not download it (' + r.status + ').';
    return;
  }
  const url = URL.createObjectURL(await r.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = 'examination-report.md';
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
