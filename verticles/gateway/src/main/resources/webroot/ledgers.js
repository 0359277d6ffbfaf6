// The ledger views: chart of accounts, posting and reversing, entry search with cursor pages,
// and the trial balance, balance sheet and income statement as of a date.

const $ = (id) => document.getElementById(id);
let ctx;
let next = null;

const cell = (tag, text, cls) => {
  const el = document.createElement(tag);
  el.textContent = text;
  if (cls) el.className = cls;
  return el;
};

export function initLedgers(c) {
  ctx = c;
  $('ledger-select').addEventListener('change', () => refresh());
  $('new-ledger').addEventListener('submit', (ev) => { ev.preventDefault(); act(createLedger); });
  $('new-account').addEventListener('submit', (ev) => { ev.preventDefault(); act(createAccount); });
  $('post-entry').addEventListener('submit', (ev) => { ev.preventDefault(); act(postEntry); });
  $('entry-search').addEventListener('submit', (ev) => { ev.preventDefault(); search(false); });
  $('entries-more').addEventListener('click', () => search(true));
  for (const b of $('statements').querySelectorAll('button')) {
    b.addEventListener('click', () => act(() => statement(b.dataset.statement)));
  }
  $('pe-date').value = new Date().toISOString().slice(0, 10);
  $('st-date').value = new Date().toISOString().slice(0, 10);
}

const ledger = () => $('ledger-select').value;

async function act(work) {
  $('ledger-msg').textContent = '';
  try {
    await work();
  } catch (e) {
    $('ledger-msg').textContent = e.message;
  }
}

export async function refresh() {
  if (!ledger()) {
    $('ledger-msg').textContent = 'No ledger yet: create one.';
    return;
  }
  await act(async () => {
    const data = await ctx.api('GET', '/ledgers/' + ledger() + '/accounts');
    $('accounts').querySelector('tbody').replaceChildren(...data.accounts.map((a) => {
      const tr = document.createElement('tr');
      tr.append(cell('td', a.code), cell('td', a.name), cell('td', a.type + (a.active ? '' : ' (inactive)')));
      return tr;
    }));
    await search(false);
  });
}

async function createLedger() {
  const l = await ctx.api('POST', '/ledgers', { name: $('nl-name').value.trim(), currency: $('nl-currency').value.trim() });
  await ctx.loadLedgers();
  $('ledger-select').value = l.id;
  $('ledger-msg').textContent = 'Ledger ' + l.name + ' created.';
  await refresh();
}

async function createAccount() {
  await ctx.api('POST', '/ledgers/' + ledger() + '/accounts', { code: $('na-code').value.trim(), name: $('na-name').value.trim(),
    type: $('na-type').value });
  $('na-code').value = '';
  $('na-name').value = '';
  await refresh();
}

async function postEntry() {
  const amount = $('pe-amount').value.trim().replace(',', '.');
  const body = { bookingDate: $('pe-date').value, description: $('pe-description').value.trim(),
    lines: [{ account: $('pe-debit').value.trim(), debit: amount, currency: ctx.currencyOf(ledger()) },
      { account: $('pe-credit').value.trim(), credit: amount, currency: ctx.currencyOf(ledger()) }] };
  if ($('pe-counterparty').value.trim()) body.counterparty = $('pe-counterparty').value.trim();
  if ($('pe-document').value.trim()) body.documentNumber = $('pe-document').value.trim();
  const e = await ctx.api('POST', '/ledgers/' + ledger() + '/entries', body, { 'Idempotency-Key': crypto.randomUUID() });
  $('ledger-msg').textContent = 'Posted entry ' + e.id.slice(0, 8) + '.';
  await search(false);
}

async function search(more) {
  const q = new URLSearchParams({ limit: '50' });
  for (const [k, id] of [['text', 'es-text'], ['counterparty', 'es-counterparty'], ['account', 'es-account'], ['from', 'es-from'],
    ['to', 'es-to']]) {
    if ($(id).value.trim()) q.set(k, $(id).value.trim());
  }
  if (more && next) q.set('cursor', next);
  const page = await ctx.api('GET', '/ledgers/' + ledger() + '/entries?' + q);
  next = page.next;
  $('entries-more').hidden = !next;
  const rows = page.entries.map((e) => {
    const tr = document.createElement('tr');
    tr.dataset.entry = e.id;
    const lines = e.lines.map((l) => l.account + ' ' + (l.debit ? 'Dr ' + l.debit : 'Cr ' + l.credit)).join('; ');
    const actions = document.createElement('td');
    if (!e.reversedBy && !e.reverses) {
      const b = cell('button', 'Reverse');
      b.type = 'button';
      b.setAttribute('aria-label', 'Reverse entry of ' + e.bookingDate + ' ' + e.description);
      b.addEventListener('click', () => act(async () => {
        await ctx.api('POST', '/ledgers/' + ledger() + '/entries/' + e.id + '/reverse', { reason: 'reversed in the dashboard' });
        $('ledger-msg').textContent = 'Entry reversed.';
        await search(false);
      }));
      actions.append(b);
    } else {
      actions.textContent = e.reverses ? 'reversal' : 'reversed';
    }
    const risk = cell('td', '…', 'risk');
    risk.dataset.risk = e.id;
    tr.append(cell('td', e.bookingDate), cell('td', e.description), cell('td', e.counterparty || ''),
      cell('td', e.documentNumber || ''), cell('td', lines), risk, actions);
    return tr;
  });
  const tbody = $('entries').querySelector('tbody');
  if (more) tbody.append(...rows); else tbody.replaceChildren(...rows);
  risks(page.entries.map((e) => e.id));
  if (!more && rows.length === 0) {
    const tr = document.createElement('tr');
    const td = cell('td', 'No entries match.', 'empty');
    td.colSpan = 7;
    tr.append(td);
    tbody.append(tr);
  }
}

const riskSeen = new Map(); // entry id → its last score: a page drawn again shows it at once, then the fresh one

/** Each entry's risk score beside it, one request for the page; the features that made it in the tooltip. */
async function risks(ids) {
  if (!ids.length) return;
  for (const id of ids) {
    if (riskSeen.has(id)) showRisk(id, riskSeen.get(id));
  }
  let found = [];
  try {
    found = (await ctx.api('GET', '/ledgers/' + ledger() + '/risks?entryIds=' + ids.join(','))).risks;
  } catch (e) {
    found = [];
  }
  const byId = new Map(found.map((r) => [r.entryId, r]));
  for (const id of ids) {
    if (byId.has(id)) riskSeen.set(id, byId.get(id));
    showRisk(id, byId.get(id));
  }
}

function showRisk(id, r) {
  const td = document.querySelector('td[data-risk="' + id + '"]');
  if (!td) return;
  if (!r) {
    td.textContent = '—';
    td.title = 'not scored (no model active, or not read yet)';
    return;
  }
  td.textContent = r.score.toFixed(2);
  td.classList.toggle('risk-high', r.score > r.threshold);
  td.title = 'model v' + r.modelVersion + ', threshold ' + r.threshold.toFixed(2) + '\n'
    + r.factors.map((f) => f.feature + ' ' + Math.round(f.contribution * 100) + ' % (value ' + f.value.toFixed(2) + ')').join('\n');
}

async function statement(kind) {
  const date = $('st-date').value;
  const out = $('statement');
  if (kind === 'trial-balance') {
    const tb = await ctx.api('GET', '/ledgers/' + ledger() + '/trial-balance?asOf=' + date);
    out.replaceChildren(table('Trial balance as of ' + tb.asOf + (tb.balanced ? ' — balanced' : ' — NOT balanced'),
      ['Account', 'Name', 'Currency', 'Debit', 'Credit', 'Balance'],
      tb.lines.map((l) => [l.account, l.name, l.currency, l.debit, l.credit, l.balance])));
    return;
  }
  const st = await ctx.api('GET', '/ledgers/' + ledger() + '/' + kind + '?to=' + date);
  out.replaceChildren(...st.sections.map((s) => table(s.name + ' (' + s.currency + '): ' + s.total,
    ['Account', 'Name', 'Amount'], s.lines.map((l) => [l.account, l.name, l.amount]))),
  cell('p', kind === 'balance-sheet' ? (st.balanced ? 'Assets = liabilities + equity + result.' : 'Does NOT balance.') : '',
    'hint'));
}

function table(caption, head, rows) {
  const t = document.createElement('table');
  t.className = 'grid';
  t.append(cell('caption', caption));
  const thead = document.createElement('thead');
  const hr = document.createElement('tr');
  head.forEach((h) => { const th = cell('th', h); th.scope = 'col'; hr.append(th); });
  thead.append(hr);
  const tbody = document.createElement('tbody');
  rows.forEach((r) => {
    const tr = document.createElement('tr');
    r.forEach((v, i) => tr.append(cell('td', v, i >= head.length - 3 && /^-?[0-9.]+$/.test(v) ? 'num' : '')));
    tbody.append(tr);
  });
  t.append(thead, tbody);
  return t;
}
