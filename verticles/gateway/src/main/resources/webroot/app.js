// The NEXUS dashboard: sign-in (tokens in memory only), the live feed with gap-free resume,
// and the services map. No framework; every view is plain DOM.
import { Bus } from './bus.js';
import { initImports } from './imports.js';
import { initFindings, onEvent as findingsEvent } from './findings.js';
import { initLedgers, refresh as refreshLedgers } from './ledgers.js';
import { initAdmin, refresh as refreshAdmin } from './admin.js';
import { initForecast } from './forecast.js';
import { initDocuments, onEvent as documentsEvent } from './documents.js';
import { initAssistant } from './assistant.js';

const API = '/api/v1';
const $ = (id) => document.getElementById(id);
const session = { access: null, refresh: null, me: null, refreshTimer: null, expiresAt: 0, refreshes: 0 };
let bus = null;

// ---- HTTP ----

async function api(method, path, body, extra, retried) {
  const headers = Object.assign({ 'Accept': 'application/json' }, extra || {});
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (session.access) headers['Authorization'] = 'Bearer ' + session.access;
  const r = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  // an access token that ran out (a sleeping laptop misses the refresh timer): refresh, then repeat the request once
  if (r.status === 401 && !retried && session.refresh && !path.startsWith('/auth/')) {
    if (await refreshNow()) return api(method, path, body, extra, true);
  }
  const text = await r.text();
  const json = text ? JSON.parse(text) : null;
  if (!r.ok) {
    const err = new Error((json && json.detail) || r.statusText);
    err.status = r.status;
    err.body = json;
    throw err;
  }
  return json;
}

/** PUTs a file as the raw body (streamed by the browser); the JSON answer, or an error carrying it. */
async function upload(path, file) {
  const r = await fetch(API + path, { method: 'PUT', body: file,
    headers: { 'Authorization': 'Bearer ' + session.access, 'Content-Type': file.type || 'text/csv' } });
  const json = await r.json();
  if (!r.ok) {
    const err = new Error(json.detail || r.statusText);
    err.status = r.status;
    err.body = json;
    throw err;
  }
  return json;
}

const currencies = new Map();

async function loadLedgers() {
  const data = await api('GET', '/ledgers');
  data.ledgers.forEach((l) => currencies.set(l.id, l.currency));
  for (const select of document.querySelectorAll('.ledger-select')) {
    const chosen = select.value;
    const options = data.ledgers.map((l) => {
      const o = document.createElement('option');
      o.value = l.id;
      o.textContent = l.name;
      return o;
    });
    if (select.classList.contains('ledger-any')) {
      const any = document.createElement('option');
      any.value = '';
      any.textContent = 'All ledgers';
      options.unshift(any);
    }
    select.replaceChildren(...options);
    if (chosen) select.value = chosen;
    select.dispatchEvent(new Event('change'));
  }
}

// ---- session ----

function keepFresh(expiresIn) {
  clearTimeout(session.refreshTimer);
  session.expiresAt = Date.now() + expiresIn * 1000;
  // refresh a little before the access token ends
  session.refreshTimer = setTimeout(refreshNow, Math.max(5, expiresIn - 30) * 1000);
}

let refreshing = null;

/**
 * Trades the refresh token for new tokens (one exchange at a time: the server ends a session whose
 * refresh token is used twice) and renews the live connection's grant. A refused refresh ends the
 * session here; one that failed on the network is tried again shortly. True when it worked.
 */
function refreshNow() {
  if (!refreshing) {
    const used = session.refresh;
    refreshing = api('POST', '/auth/refresh', { refreshToken: used }).then((t) => {
      if (session.refresh !== used) return false; // signed out meanwhile
      const late = Date.now() > session.expiresAt;
      session.access = t.accessToken;
      session.refresh = t.refreshToken;
      session.refreshes++;
      keepFresh(t.expiresIn);
      if (bus && late) {
        // the connection may have registered with the expired token: connect again with this one
        bus.drop();
      } else if (bus) {
        // the bridge lets a socket receive only while its token is valid: show it the new one
        bus.request('ui.whoami', {}).catch(() => { /* a closed connection renews when it reconnects */ });
      }
      return true;
    }, (e) => {
      if (session.refresh !== used) return false;
      if (e.status >= 400 && e.status < 500) {
        signedOut('Your session ended; please sign in again.');
      } else {
        // no network or the server is unavailable: the session may well be fine, try again shortly
        clearTimeout(session.refreshTimer);
        session.refreshTimer = setTimeout(refreshNow, 5000);
      }
      return false;
    }).finally(() => { refreshing = null; });
  }
  return refreshing;
}

async function signIn(email, password) {
  const t = await api('POST', '/auth/login', { email, password });
  session.access = t.accessToken;
  session.refresh = t.refreshToken;
  keepFresh(t.expiresIn);
  session.me = await api('GET', '/me');
  $('who').textContent = session.me.name + ' · ' + session.me.role;
  $('login-view').hidden = true;
  $('app-view').hidden = false;
  $('logout').hidden = false;
  $('search-form').hidden = false;
  startBus();
  loadServices();
  loadLedgers().catch((e) => console.warn('ledgers', e));
}

function signedOut(message) {
  clearTimeout(session.refreshTimer);
  if (bus) bus.close();
  bus = null;
  Object.assign(session, { access: null, refresh: null, me: null });
  $('app-view').hidden = true;
  $('logout').hidden = true;
  $('search-form').hidden = true;
  $('login-view').hidden = false;
  $('who').textContent = '';
  $('login-error').textContent = message || '';
  $('feed').replaceChildren();
  feed.seen.clear();
  feed.cursor = null;
  setConnection('closed');
}

// ---- live feed ----

const feed = { cursor: null, seen: new Set(), replaying: false, held: [] };
const FEED_ROWS = 500;

function setConnection(state) {
  const el = $('connection');
  el.textContent = state === 'open' ? 'live' : state === 'connecting' ? 'connecting…' : 'offline';
  el.className = 'conn ' + (state === 'open' ? 'conn-on' : state === 'connecting' ? 'conn-wait' : 'conn-off');
  el.dataset.state = state;
}

function startBus() {
  bus = new Bus('/eventbus', () => session.access);
  bus.onstate = setConnection;
  bus.register('ui.org.' + session.me.org + '.events', (event) => {
    if (feed.replaying) feed.held.push(event); else show(event);
    findingsEvent(event);
    documentsEvent(event);
  });
  // an announcement can reach the page before this gateway's registry has the instance: look now and again shortly
  bus.register('ui.system', () => {
    loadServices();
    setTimeout(loadServices, 1000);
  });
  bus.onopen = () => resume();
  bus.connect();
  ctx.bus = bus;
  window.nexus = { bus, feed, refreshes: () => session.refreshes };
}

/** After (re)connecting: what the log holds after the last event shown, then what arrived meanwhile. */
async function resume() {
  feed.replaying = true;
  try {
    if (feed.cursor === null) {
      const head = await bus.request('ui.feed.replay', { after: 'head' });
      if (feed.cursor === null) feed.cursor = head.next;
    } else {
      let more = true;
      while (more) {
        const page = await bus.request('ui.feed.replay', { after: feed.cursor, max: 500 });
        page.events.forEach(show);
        if (page.next) feed.cursor = page.next;
        more = page.more;
      }
    }
  } catch (e) {
    console.warn('replay failed', e);
  } finally {
    feed.replaying = false;
    const held = feed.held;
    feed.held = [];
    held.forEach(show);
  }
}

function show(event) {
  if (feed.seen.has(event.position)) return;
  feed.seen.add(event.position);
  if (feed.seen.size > 20 * FEED_ROWS) {
    // a duplicate can only be recent: forget the oldest positions
    for (const p of feed.seen) {
      feed.seen.delete(p);
      if (feed.seen.size <= 10 * FEED_ROWS) break;
    }
  }
  if (!feed.cursor || compare(event.cursor, feed.cursor) > 0) feed.cursor = event.cursor;
  const li = document.createElement('li');
  li.dataset.position = String(event.position);
  li.dataset.type = event.type;
  const at = document.createElement('span');
  at.className = 'at';
  at.textContent = new Date(event.at).toLocaleString();
  const type = document.createElement('span');
  type.className = 'type';
  type.textContent = event.type;
  const stream = document.createElement('span');
  stream.className = 'stream';
  stream.textContent = summary(event);
  li.append(at, type, stream);
  // newest first; the page keeps the latest FEED_ROWS (the log keeps everything)
  const list = $('feed');
  list.prepend(li);
  while (list.childElementCount > FEED_ROWS) list.lastElementChild.remove();
  $('feed-empty').hidden = true;
}

function compare(a, b) {
  const [ta, pa] = a.split(':').map(BigInt);
  const [tb, pb] = b.split(':').map(BigInt);
  return ta === tb ? (pa < pb ? -1 : pa > pb ? 1 : 0) : (ta < tb ? -1 : 1);
}

function summary(e) {
  const d = e.data || {};
  if (e.type === 'financial.entry-posted') return (d.description || '') + (d.counterparty ? ' · ' + d.counterparty : '');
  if (d.title) return d.title;
  return e.streamId;
}

// ---- services map ----

async function loadServices() {
  if (!session.access) return;
  try {
    const data = await api('GET', '/services');
    const tbody = $('services').querySelector('tbody');
    const nodes = new Set();
    tbody.replaceChildren(...data.services.map((s) => {
      const tr = document.createElement('tr');
      tr.dataset.service = s.name;
      s.instances.forEach((i) => nodes.add(i.node));
      // an instance whose breaker is not closed says so: that is the one this gateway avoids
      const instances = s.instances.map((i) => i.node.slice(0, 8) + (i.breaker && i.breaker !== 'closed' ? ` (${i.breaker})` : ''));
      const cells = [s.name, s.status, s.breaker, instances.join(', ') || '—'];
      cells.forEach((text, n) => {
        const td = document.createElement(n === 0 ? 'th' : 'td');
        if (n === 0) td.scope = 'row';
        if (n === 1) td.className = 'status-' + s.status;
        td.textContent = text;
        tr.append(td);
      });
      return tr;
    }));
    $('nodes').replaceChildren(...[...nodes].sort().map((n) => {
      const el = document.createElement('span');
      el.className = 'node';
      el.dataset.node = n;
      el.textContent = 'node ' + n.slice(0, 8);
      return el;
    }));
    $('services-state').textContent = nodes.size + ' node' + (nodes.size === 1 ? '' : 's') + ', updated ' +
      new Date().toLocaleTimeString();
  } catch (e) {
    $('services-state').textContent = 'Could not load the services: ' + e.message;
  }
}

// ---- wiring ----

// while the map is shown it is also refreshed every 5 s, so nothing missed stays missing
setInterval(() => {
  if (!$('services-view').hidden) loadServices();
}, 5000);

$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('login-error').textContent = '';
  try {
    await signIn($('email').value, $('password').value);
  } catch (e) {
    $('login-error').textContent = e.status === 401 ? 'Wrong email or password.' : 'Sign-in failed: ' + e.message;
  }
});

$('logout').addEventListener('click', async () => {
  try { await api('POST', '/auth/logout'); } catch (e) { /* the session ends here either way */ }
  signedOut('Signed out.');
});

for (const tab of document.querySelectorAll('.tab')) {
  tab.addEventListener('click', () => {
    for (const t of document.querySelectorAll('.tab')) t.setAttribute('aria-selected', String(t === tab));
    for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== tab.dataset.view + '-view';
    if (tab.dataset.view === 'services') loadServices();
    if (['import', 'findings', 'forecast', 'documents', 'assistant'].includes(tab.dataset.view)) loadLedgers().catch((e) => console.warn(e));
    if (tab.dataset.view === 'ledgers') loadLedgers().then(refreshLedgers).catch((e) => console.warn(e));
    if (tab.dataset.view === 'admin') refreshAdmin();
  });
}
const ctx = { api, upload, session, bus: null, loadLedgers, currencyOf: (id) => currencies.get(id) || 'EUR' };
initImports(ctx);
initFindings(ctx);
initLedgers(ctx);
initAdmin(ctx);
initForecast(ctx);
initDocuments(ctx);
initAssistant(ctx);
setConnection('closed');
