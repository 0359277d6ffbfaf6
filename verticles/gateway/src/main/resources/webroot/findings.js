// The findings view: start an examination and watch it, filter the findings, work one: its
// evidence, comments, history and changes with If-Match. When the server answers 412 the
// conflict view shows what the other person changed; the user re-applies or discards.
// Changes by others arrive over the live feed and reload what is open.

import { enumOf } from './contract.js';

const $ = (id) => document.getElementById(id);
let ctx;
let open = null;      // the finding shown, as last read
let pending = null;   // the change the server refused with 412
const dirty = new Set(); // the form fields the user changed since the finding was shown

export function initFindings(c) {
  ctx = c;
  // every rule findings are raised by, from the served API description
  enumOf('Financial.FindingSearch', 'rule').then((rules) => {
    for (const r of rules) {
      const o = document.createElement('option');
      o.textContent = r;
      $('f-rule').append(o);
    }
  }).catch((e) => { $('exam-status').textContent = e.message; });
  $('findings-ledger').addEventListener('change', () => list());
  $('finding-filters').addEventListener('submit', (ev) => { ev.preventDefault(); list(); });
  $('findings-more').addEventListener('click', () => list(true));
  $('exam-form').addEventListener('submit', (ev) => { ev.preventDefault(); startExamination(); });
  $('fd-form').addEventListener('submit', (ev) => { ev.preventDefault(); save(changeFromForm()); });
  $('fd-reapply').addEventListener('click', () => save(pending));
  $('fd-discard').addEventListener('click', () => { pending = null; $('fd-conflict').hidden = true; render(open); });
  $('fd-comment-form').addEventListener('submit', (ev) => { ev.preventDefault(); comment(); });
  // a citation elsewhere (the assistant) opens its finding here
  window.addEventListener('nexus:open-finding', async (ev) => {
    const tab = document.querySelector('.tab[data-view="findings"]');
    tab.click();
    await ctx.loadLedgers();
    if (ev.detail.ledgerId) $('findings-ledger').value = ev.detail.ledgerId;
    openFinding(ev.detail.id);
  });
  for (const [id, field] of [['fd-status', 'status'], ['fd-assignee', 'assignee'], ['fd-tags', 'tags']]) {
    $(id).addEventListener('input', () => dirty.add(field));
    $(id).addEventListener('change', () => dirty.add(field));
  }
}

/** A live event: if it is about the open finding (or a finding at all), show the news. */
export function onEvent(event) {
  if (!event.streamId || !event.streamId.startsWith('finding-')) return;
  if (open && event.streamId === 'finding-' + open.id && event.version > open.version && !pending) {
    if (dirty.size) {
      // keep what the user is typing; saving will show both versions side by side
      $('fd-error').textContent = 'Someone else changed this finding (version ' + event.version + ') while you were editing.';
      $('finding').dataset.stale = 'true';
    } else {
      openFinding(open.id);
    }
  }
  if (!$('findings-view').hidden) list();
}

async function startExamination() {
  const ledger = $('findings-ledger').value;
  if (!ledger) return;
  try {
    const exam = await ctx.api('POST', '/ledgers/' + ledger + '/examinations', {});
    const address = 'ui.org.' + ctx.session.me.org + '.examinations.' + exam.id;
    $('exam-status').textContent = 'Examination running: 0 of ' + exam.rulesTotal + ' rules';
    ctx.bus.register(address, (p) => {
      $('exam-status').textContent = p.status === 'running'
        ? 'Examination running: ' + p.rulesDone + ' of ' + p.rulesTotal + ' rules (' + p.rule + ' done), '
          + p.findingsNew + ' new findings'
        : 'Examination ' + p.status + ': ' + p.findingsNew + ' new findings';
      if (p.status !== 'running') {
        ctx.bus.unregister(address);
        list();
      }
    });
  } catch (e) {
    $('exam-status').textContent = 'Could not start: ' + e.message;
  }
}

let nextFindings = null;

/** The findings that pass the filters, in the chosen order; with {@code more}, the next page after those shown. */
let listed = 0; // the newest list() asked for: an older answer arriving later (another ledger, other filters) is dropped

async function list(more) {
  const ledger = $('findings-ledger').value;
  if (!ledger) return;
  const mine = ++listed;
  const q = new URLSearchParams({ limit: '100', sort: $('f-sort').value });
  for (const [k, id] of [['rule', 'f-rule'], ['severity', 'f-severity'], ['status', 'f-status'], ['assignee', 'f-assignee']]) {
    if ($(id).value) q.set(k, $(id).value);
  }
  if (more && nextFindings) q.set('cursor', nextFindings);
  $('findings-state').textContent = 'Loading…';
  try {
    const page = await ctx.api('GET', '/ledgers/' + ledger + '/findings?' + q);
    if (mine !== listed) return;
    const items = page.findings.map((f) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.finding = f.id;
      b.setAttribute('aria-current', String(open !== null && open.id === f.id));
      const sev = document.createElement('span');
      sev.className = 'sev-' + f.severity;
      sev.textContent = f.severity + ' · ' + f.status + ' · ';
      b.append(sev, document.createTextNode(f.title));
      b.addEventListener('click', () => openFinding(f.id));
      li.append(b);
      return li;
    });
    if (more) $('findings').append(...items); else $('findings').replaceChildren(...items);
    if (!more) drawOverview(ledger).catch((e) => console.warn('findings overview: ' + e.message));
    nextFindings = page.next;
    $('findings-more').hidden = !page.next;
    const shown = $('findings').childElementCount;
    $('findings-state').textContent = shown ? shown + (page.next ? '+' : '') + ' findings' : 'No findings match.';
  } catch (e) {
    $('findings-state').textContent = 'Could not load the findings: ' + e.message;
  }
}

const SEVERITIES = [['high', '#c0392b'], ['medium', '#e67e22'], ['low', '#f1c40f']];
let overview = null;

/** The overview: the ledger's findings per rule, stacked by severity (ECharts), for the status filtered on. */
async function drawOverview(ledger) {
  // a hidden view has no width to draw in: the overview is drawn when the view is shown (its tab lists again)
  if (!window.echarts || $('findings-overview').offsetParent === null) return;
  const q = $('f-status').value ? '?status=' + $('f-status').value : '';
  const s = await ctx.api('GET', '/ledgers/' + ledger + '/finding-summary' + q);
  const rules = [...new Set(s.counts.map((c) => c.rule))];
  overview = overview || window.echarts.init($('findings-overview'));
  overview.resize();
  overview.setOption({
    animation: false,
    title: { text: s.total + (s.total === 1 ? ' finding' : ' findings'), textStyle: { fontSize: 13 } },
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    legend: { data: SEVERITIES.map(([name]) => name), right: 0 },
    grid: { left: 10, right: 10, top: 40, bottom: 10, containLabel: true },
    xAxis: { type: 'category', data: rules, axisLabel: { rotate: 30, interval: 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: SEVERITIES.map(([name, color]) => ({ name, type: 'bar', stack: 'all', color, barMaxWidth: 48,
      data: rules.map((r) => (s.counts.find((c) => c.rule === r && c.severity === name) || { count: 0 }).count) })),
  }, true);
}

let distribution = null;

/** A benford finding's observed against expected shares per leading digit(s); hidden for other rules. */
function drawDistribution(buckets) {
  $('fd-distribution').hidden = !buckets;
  if (!buckets || !window.echarts) return;
  distribution = distribution || window.echarts.init($('fd-distribution'));
  distribution.resize();
  const pct = (x) => Math.round(x * 1000) / 10;
  distribution.setOption({
    animation: false,
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    legend: { data: ['observed', 'expected (Benford)'], right: 0 },
    grid: { left: 10, right: 10, top: 30, bottom: 10, containLabel: true },
    xAxis: { type: 'category', data: buckets.map((b) => String(b.digits)), name: 'leading digits' },
    yAxis: { type: 'value', axisLabel: { formatter: '{value} %' } },
    series: [
      { name: 'observed', type: 'bar', color: '#3d8bfd', data: buckets.map((b) => pct(b.observedShare)) },
      { name: 'expected (Benford)', type: 'line', color: '#c0392b', symbol: 'circle', data: buckets.map((b) => pct(b.expectedShare)) },
    ],
  }, true);
}

let risk = null;

/** A risk-score finding: the entry's score now, its model and what made it, as bars of each feature's share. */
async function drawRisk(f) {
  $('fd-risk').hidden = f.rule !== 'risk-score';
  $('fd-risk-meta').textContent = '';
  if (f.rule !== 'risk-score' || !window.echarts) return;
  let r;
  try {
    r = await ctx.api('GET', '/ledgers/' + $('findings-ledger').value + '/entries/' + f.entryIds[0] + '/risk');
  } catch (e) {
    $('fd-risk-meta').textContent = 'No score to show: ' + e.message;
    return;
  }
  $('fd-risk-meta').textContent = 'Score ' + r.score.toFixed(3) + ' by model v' + r.modelVersion + ' (threshold '
    + r.threshold.toFixed(3) + ')';
  $('fd-risk').dataset.score = String(r.score);
  risk = risk || window.echarts.init($('fd-risk-chart'));
  risk.resize();
  const factors = [...r.factors].reverse();
  risk.setOption({
    animation: false,
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    grid: { left: 10, right: 20, top: 10, bottom: 10, containLabel: true },
    xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value} %' } },
    yAxis: { type: 'category', data: factors.map((x) => x.feature + ' = ' + x.value.toFixed(2)) },
    series: [{ name: 'share of the score', type: 'bar', color: '#c0392b', barMaxWidth: 24,
      data: factors.map((x) => Math.round(x.contribution * 1000) / 10) }],
  }, true);
}

window.addEventListener('resize', () => {
  if (overview) overview.resize();
  if (distribution) distribution.resize();
  if (risk) risk.resize();
});

async function openFinding(id) {
  try {
    open = await ctx.api('GET', '/ledgers/' + $('findings-ledger').value + '/findings/' + id);
    render(open);
  } catch (e) {
    $('fd-error').textContent = 'Could not load the finding: ' + e.message;
  }
}

function render(f) {
  dirty.clear();
  $('finding').hidden = false;
  $('finding').dataset.stale = 'false';
  $('finding').dataset.version = String(f.version);
  $('fd-title').textContent = f.title;
  $('fd-meta').textContent = f.rule + ' · ' + f.severity + ' · score ' + f.score.toFixed(3) + ' · ' + f.status
    + (f.assignee ? ' · assigned to ' + f.assignee : '') + (f.tags.length ? ' · ' + f.tags.join(', ') : '')
    + ' · version ' + f.version;
  $('fd-explanation').textContent = f.explanation;
  $('fd-figures').replaceChildren(...f.figures.flatMap((x) => {
    const dt = document.createElement('dt');
    dt.textContent = x.name;
    const dd = document.createElement('dd');
    dd.textContent = x.value;
    return [dt, dd];
  }));
  drawDistribution(f.distribution);
  drawRisk(f);
  $('fd-evidence').replaceChildren(...f.entryIds.slice(0, 20).map((id) => {
    const li = document.createElement('li');
    li.textContent = id;
    loadEntry(id, li);
    return li;
  }));
  $('fd-status').value = f.status;
  $('fd-assignee').value = f.assignee || '';
  $('fd-tags').value = f.tags.join(', ');
  $('fd-comments').replaceChildren(...f.comments.map((c) => item(c.author.slice(0, 8) + ': ' + c.text)));
  $('fd-history').replaceChildren(...f.history.map((h) => item('v' + h.version + ' ' + h.summary)));
  $('fd-error').textContent = '';
}

async function loadEntry(id, li) {
  try {
    const e = await ctx.api('GET', '/ledgers/' + $('findings-ledger').value + '/entries/' + id);
    const amount = e.lines.filter((l) => l.debit).map((l) => l.debit + ' ' + l.currency).join(' + ');
    li.textContent = e.bookingDate + ' · ' + (e.counterparty || '—') + ' · ' + amount + ' · ' + (e.documentNumber || '') + ' · '
      + e.description;
  } catch (e) {
    li.textContent = id + ' (could not load)';
  }
}

function item(text) {
  const li = document.createElement('li');
  li.textContent = text;
  return li;
}

/** Only what the user changed: a re-applied change does not undo someone else's other fields. */
function changeFromForm() {
  const change = {};
  if (dirty.has('status')) change.status = $('fd-status').value;
  if (dirty.has('assignee')) change.assignee = $('fd-assignee').value.trim();
  if (dirty.has('tags')) change.tags = $('fd-tags').value.split(',').map((t) => t.trim()).filter(Boolean);
  return change;
}

function describe(change) {
  return Object.entries(change).map(([k, v]) => k + ' ' + (Array.isArray(v) ? (v.join(', ') || 'none') : (v || 'none')))
    .join(', ');
}

/** Sends a change at the version last read; a 412 opens the conflict view with what is there now. */
async function save(change) {
  const version = pending ? pending.against : open.version;
  const body = {};
  for (const k of ['status', 'assignee', 'tags']) if (change[k] !== undefined) body[k] = change[k];
  if (Object.keys(body).length === 0) {
    $('fd-error').textContent = 'Nothing changed.';
    return;
  }
  try {
    open = await ctx.api('PATCH', '/ledgers/' + $('findings-ledger').value + '/findings/' + open.id, body,
      { 'If-Match': '"' + version + '"' });
    pending = null;
    $('fd-conflict').hidden = true;
    render(open);
    list();
  } catch (e) {
    if (e.status === 412 && e.body && e.body.current) {
      const current = e.body.current;
      pending = Object.assign({}, body, { against: current.version });
      $('fd-conflict-text').textContent = 'Now: status ' + current.status + ', assignee ' + (current.assignee || 'none')
        + ', tags ' + (current.tags.join(', ') || 'none') + ' (version ' + current.version + ', last change: '
        + (current.history.length ? current.history[current.history.length - 1].summary : '') + '). Yours: '
        + describe(body) + '.';
      $('fd-conflict').hidden = false;
      open = current;
      $('finding').dataset.version = String(current.version);
    } else {
      $('fd-error').textContent = 'Not saved: ' + e.message;
    }
  }
}

async function comment() {
  const text = $('fd-comment').value.trim();
  if (!text) return;
  try {
    open = await ctx.api('POST', '/ledgers/' + $('findings-ledger').value + '/findings/' + open.id + '/comments', { text },
      { 'If-Match': '"' + open.version + '"' });
    $('fd-comment').value = '';
    render(open);
  } catch (e) {
    $('fd-error').textContent = e.status === 412 ? 'Someone changed the finding; reloaded — add your comment again.'
      : 'Not saved: ' + e.message;
    if (e.status === 412) openFinding(open.id);
  }
}

/** Undo of the pending marker when a fresh finding is loaded from outside (a new selection). */
export function reset() {
  pending = null;
  open = null;
}
