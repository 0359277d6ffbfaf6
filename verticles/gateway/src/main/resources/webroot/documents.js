// The Documents view: drag-and-drop upload with progress (the bytes, then the analysis stage by
// stage from the document's bridge address), the organisation's documents of a ledger, one
// document with its image and the boxes of its words, fields and codes drawn over it, the entry
// that pays it or the findings about it, and its duplicates side by side. Reconciliation of the
// ledger over a period is started here too.

const $ = (id) => document.getElementById(id);
const FIELDS = ['total', 'currency', 'date', 'vendor', 'vatId', 'iban', 'invoiceNumber'];
const SHOWN_IN_BROWSER = new Set(['png', 'jpeg']);
const VISION_RULES = new Set(['document-without-entry', 'entry-without-document', 'amount-mismatch', 'iban-mismatch',
  'duplicate-claim']);
let ctx;
let cursor = null;
let open = null;        // the document shown
let urls = [];          // object URLs of the images shown, released when others are shown

export function initDocuments(c) {
  window.addEventListener('nexus:open-document', (ev) => {
    document.querySelector('.tab[data-view="documents"]').click();
    show(ev.detail.id);
  });
  ctx = c;
  $('doc-ledger').addEventListener('change', () => list());
  $('docs-more').addEventListener('click', () => list(true));
  $('doc-file').addEventListener('change', () => {
    uploadAll($('doc-file').files);
    $('doc-file').value = '';
  });
  const drop = $('doc-drop');
  drop.addEventListener('dragover', (ev) => { ev.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (ev) => {
    ev.preventDefault();
    drop.classList.remove('over');
    uploadAll(ev.dataTransfer.files);
  });
  drop.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); $('doc-file').click(); } });
  $('doc-reconcile').addEventListener('submit', (ev) => { ev.preventDefault(); reconcile(); });
}

/** A live event: a document analysed or matched reloads the list, and the open document if it is the one. */
export function onEvent(event) {
  if (!event.type || !event.type.startsWith('vision.') || $('documents-view').hidden) return;
  const id = event.data && event.data.documentId;
  if (open && id === open.id) show(open.id);
  if (id) list();
}

function uploadAll(files) {
  for (const f of files) upload(f);
}

/** One file: its bytes with a progress bar (XMLHttpRequest reports upload progress), then its analysis. */
function upload(file) {
  const li = document.createElement('li');
  const name = document.createElement('span');
  name.textContent = file.name;
  const bar = document.createElement('progress');
  bar.max = 100;
  bar.value = 0;
  bar.setAttribute('aria-label', 'Progress of ' + file.name);
  const state = document.createElement('span');
  state.className = 'upload-state';
  state.textContent = 'uploading';
  li.append(name, bar, state);
  $('doc-uploads').prepend(li);
  const form = new FormData();
  if ($('doc-ledger').value) form.append('ledgerId', $('doc-ledger').value);
  form.append('file', file, file.name);
  const xhr = new XMLHttpRequest();
  xhr.open('POST', '/api/v1/documents');
  xhr.setRequestHeader('Authorization', 'Bearer ' + ctx.session.access);
  xhr.setRequestHeader('Accept', 'application/json');
  xhr.upload.onprogress = (ev) => { if (ev.lengthComputable) bar.value = Math.round(50 * ev.loaded / ev.total); };
  xhr.onerror = () => { state.textContent = 'the upload failed on the network'; li.dataset.state = 'failed'; };
  xhr.onload = () => {
    let body = null;
    try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
    if (xhr.status !== 202) {
      li.dataset.state = 'refused';
      state.textContent = (body && body.detail) || ('refused: ' + xhr.status);
      bar.value = 0;
      return;
    }
    li.dataset.document = body.id;
    bar.value = 50;
    state.textContent = body.duplicateOf ? 'received (the same bytes as an earlier upload)' : 'received, queued for analysis';
    follow(body.id, bar, state, li);
  };
  xhr.send(form);
}

/** The analysis of an uploaded document from its bridge address, until it ends. */
function follow(id, bar, state, li) {
  const address = 'ui.org.' + ctx.session.me.org + '.documents.' + id;
  const end = (status, error) => {
    ctx.bus.unregister(address);
    bar.value = status === 'analysed' ? 100 : 0;
    li.dataset.state = status;
    state.textContent = status === 'analysed' ? 'analysed' : 'failed: ' + (error || '');
    list();
    show(id);
  };
  ctx.bus.register(address, (p) => {
    if (p.status === 'analysed' || p.status === 'failed') {
      if (li.dataset.state !== 'analysed' && li.dataset.state !== 'failed') {
        ctx.api('GET', '/documents/' + id).then((d) => end(d.status, d.error)).catch(() => end(p.status));
      }
      return;
    }
    const share = p.pages ? p.page / p.pages : 0;
    bar.value = 50 + Math.round(45 * share);
    state.textContent = p.stage + (p.pages ? ` (page ${p.page} of ${p.pages})` : '');
  });
  // the analysis may have ended before the address was registered
  setTimeout(() => ctx.api('GET', '/documents/' + id).then((d) => {
    if ((d.status === 'analysed' || d.status === 'failed') && li.dataset.state !== 'analysed' && li.dataset.state !== 'failed') {
      end(d.status, d.error);
    }
  }).catch(() => {}), 1500);
}

let listed = 0;

async function list(more) {
  const ledger = $('doc-ledger').value;
  if (!ledger) return;
  const asked = ++listed;
  const q = new URLSearchParams({ ledger, limit: '50' });
  if (more && cursor) q.set('cursor', cursor);
  try {
    const page = await ctx.api('GET', '/documents?' + q);
    if (asked !== listed) return; // a newer list was asked for meanwhile
    cursor = page.next;
    $('docs-more').hidden = !page.next;
    const items = page.documents.map((d) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.document = d.id;
      const what = [d.vendor && d.vendor.value, d.total && d.total.value, d.date && d.date.value].filter(Boolean).join(' · ');
      b.textContent = (what || d.fileName || d.id) + ' — ' + d.status;
      if (open && open.id === d.id) b.setAttribute('aria-current', 'true');
      b.addEventListener('click', () => show(d.id));
      li.append(b);
      return li;
    });
    if (more) $('docs').append(...items); else $('docs').replaceChildren(...items);
    $('docs-state').textContent = $('docs').childElementCount ? '' : 'No documents in this ledger yet. Drop some above.';
  } catch (e) {
    $('docs-state').textContent = 'Could not load the documents: ' + e.message;
  }
}

/** The stored bytes as an object URL (the content route needs the token, so an img cannot fetch it itself). */
async function image(id) {
  const r = await fetch('/api/v1/documents/' + id + '/content', { headers: { Authorization: 'Bearer ' + ctx.session.access } });
  if (!r.ok) throw new Error('the document could not be read: ' + r.status);
  const url = URL.createObjectURL(await r.blob());
  urls.push(url);
  return url;
}

async function show(id) {
  let d;
  try {
    d = await ctx.api('GET', '/documents/' + id);
  } catch (e) {
    $('doc-msg').textContent = e.message;
    return;
  }
  open = d;
  for (const b of $('docs').querySelectorAll('button')) b.setAttribute('aria-current', String(b.dataset.document === id));
  urls.forEach((u) => URL.revokeObjectURL(u));
  urls = [];
  const f = d.fields || {};
  $('doc').hidden = false;
  $('doc').dataset.document = d.id;
  $('doc').dataset.status = d.status;
  $('dd-title').textContent = (f.vendor && f.vendor.value) || d.fileName || d.id;
  $('dd-meta').textContent = [d.fileName, d.mediaType, d.status, d.pages + ' of ' + d.pageCount + ' page(s) analysed',
    d.error].filter(Boolean).join(' · ');
  await pages(d);
  fields(d);
  codes(d);
  await ledger(d);
  await duplicates(d);
}

const SVG = 'http://www.w3.org/2000/svg';

function rect(svg, box, cls, data) {
  if (!box) return;
  const r = document.createElementNS(SVG, 'rect');
  r.setAttribute('x', box.x);
  r.setAttribute('y', box.y);
  r.setAttribute('width', box.width);
  r.setAttribute('height', box.height);
  r.setAttribute('class', cls);
  if (data) r.dataset.field = data;
  svg.append(r);
}

/** Each analysed page: the image (PNG, JPEG) or a blank page, with words, fields and codes boxed. */
async function pages(d) {
  const out = [];
  for (const p of d.layout || []) {
    const fig = document.createElement('figure');
    fig.className = 'page';
    fig.dataset.page = p.page;
    if (p.page === 1 && SHOWN_IN_BROWSER.has(d.mediaType)) {
      const img = document.createElement('img');
      img.alt = 'Page 1 of the document, with what was read boxed';
      try { img.src = await image(d.id); } catch (e) { img.alt = e.message; }
      fig.append(img);
    }
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${p.width} ${p.height}`);
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', `Page ${p.page}: ${p.words.length} words read (${p.source})`);
    if (!fig.childElementCount) {
      // a page the browser cannot show (TIFF, PDF): its words where they stand
      svg.style.position = 'static';
      svg.style.background = '#fff';
      for (const w of p.words) {
        const t = document.createElementNS(SVG, 'text');
        t.setAttribute('x', w.box.x);
        t.setAttribute('y', w.box.y + w.box.height);
        t.setAttribute('font-size', w.box.height);
        t.textContent = w.text;
        svg.append(t);
      }
    }
    p.words.forEach((w) => rect(svg, w.box, 'word'));
    for (const name of FIELDS) {
      const field = d.fields[name];
      if (field && field.source && field.source.page === p.page) rect(svg, field.source.box, 'field', name);
    }
    (d.codes || []).filter((c) => c.page === p.page).forEach((c) => rect(svg, c.box, 'code', 'code'));
    fig.append(svg);
    out.push(fig);
  }
  $('dd-pages').replaceChildren(...out);
}

function fields(d) {
  $('dd-fields').querySelector('tbody').replaceChildren(...FIELDS.map((name) => {
    const f = d.fields[name];
    const tr = document.createElement('tr');
    tr.dataset.field = name;
    tr.tabIndex = 0;
    for (const [text, cls] of [[name, ''], [f ? f.value : '—', ''], [f ? f.confidence.toFixed(2) : '', 'num'],
      [f && f.problem ? f.problem : '', 'error']]) {
      const td = document.createElement('td');
      td.textContent = text;
      if (cls) td.className = cls;
      tr.append(td);
    }
    // pointing at a field lights its box on the page
    const light = (on) => $('dd-pages').querySelectorAll(`rect[data-field="${name}"]`).forEach((r) => r.classList.toggle('lit', on));
    tr.addEventListener('mouseenter', () => light(true));
    tr.addEventListener('mouseleave', () => light(false));
    tr.addEventListener('focus', () => light(true));
    tr.addEventListener('blur', () => light(false));
    return tr;
  }));
}

function codes(d) {
  $('dd-codes').replaceChildren(...(d.codes || []).map((c) => {
    const li = document.createElement('li');
    const e = c.epc;
    const b = c.qrBill;
    li.textContent = c.format + ' on page ' + c.page + ': ' + (e
      ? `payment to ${e.name} · ${e.iban}${e.bic ? ' (' + e.bic + ')' : ''} · ${e.amount || ''} ${e.currency || ''}`
        + `${e.reference ? ' · ref ' + e.reference : ''}${e.remittance ? ' · ' + e.remittance : ''}${e.problem ? ' — ' + e.problem : ''}`
      : b
        ? `Swiss QR-bill: payment to ${b.name}${b.town ? ', ' + b.town : ''} · ${b.iban} · ${b.amount || ''} ${b.currency}`
          + ` · ${b.referenceType}${b.reference ? ' ' + b.reference : ''}${b.message ? ' · ' + b.message : ''}`
          + `${b.debtor ? ' · from ' + b.debtor : ''}${b.problem ? ' — ' + b.problem : ''}`
        : c.text);
    return li;
  }));
  if (!d.codes || !d.codes.length) $('dd-codes').replaceChildren(Object.assign(document.createElement('li'), { textContent: 'none' }));
  $('dd-disagreements').textContent = (d.disagreements || []).map((x) =>
    `The payment code says ${x.field} ${x.code}, the print ${x.printed}.`).join(' ');
}

/** The entry that pays the document, and the reconciliation findings about it. */
async function ledger(d) {
  const items = [];
  for (const m of d.matches || []) {
    const li = document.createElement('li');
    li.dataset.entry = m.entryId;
    li.textContent = 'Paid by entry ' + m.entryId.slice(0, 8) + ` (match ${(100 * m.score).toFixed(0)} %)`
      + (m.difference ? ` — the document's total differs by ${m.difference}` : '');
    if (d.ledgerId) {
      try {
        const e = await ctx.api('GET', '/ledgers/' + d.ledgerId + '/entries/' + m.entryId);
        const amount = e.lines.filter((l) => l.debit).map((l) => l.debit).join(' + ');
        li.textContent = `Paid by the entry of ${e.bookingDate}: ${e.counterparty || ''} · ${amount}`
          + `${e.documentNumber ? ' · ' + e.documentNumber : ''} (match ${(100 * m.score).toFixed(0)} %)`
          + (m.difference ? ` — the document's total differs by ${m.difference}` : '');
      } catch (err) { /* the id stays */ }
    }
    items.push(li);
  }
  if (!items.length) {
    items.push(Object.assign(document.createElement('li'), { textContent: d.ledgerId ? 'No entry of the ledger matches it yet.'
      : 'Not filed under a ledger.' }));
  }
  $('dd-matches').replaceChildren(...items);
  const found = [];
  if (d.ledgerId) {
    try {
      const page = await ctx.api('GET', '/ledgers/' + d.ledgerId + '/findings?limit=500&sort=severity');
      for (const f of page.findings) {
        if (!VISION_RULES.has(f.rule) || !(f.documentIds || []).includes(d.id)) continue;
        const li = document.createElement('li');
        li.dataset.rule = f.rule;
        li.className = 'sev-' + f.severity;
        li.textContent = `${f.rule} (${f.severity}, ${f.status}): ${f.title}`;
        found.push(li);
      }
    } catch (e) { /* a viewer without findings sees the matches */ }
  }
  $('dd-findings').replaceChildren(...found);
}

async function duplicates(d) {
  const out = [];
  for (const x of d.duplicates || []) {
    const pair = document.createElement('div');
    pair.className = 'side-by-side';
    pair.dataset.duplicate = x.id;
    for (const [id, caption] of [[d.id, 'this document'], [x.id, `the other (${x.distance} of 64 bits apart)`]]) {
      const fig = document.createElement('figure');
      const img = document.createElement('img');
      img.alt = caption;
      try { img.src = await image(id); } catch (e) { img.alt = e.message; }
      const cap = document.createElement('figcaption');
      if (id === x.id) {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = caption;
        b.addEventListener('click', () => show(x.id));
        cap.append(b);
      } else {
        cap.textContent = caption;
      }
      fig.append(img, cap);
      pair.append(fig);
    }
    out.push(pair);
  }
  $('dd-duplicates').replaceChildren(...out);
  $('dd-no-duplicates').hidden = out.length > 0;
}

async function reconcile() {
  const ledger = $('doc-ledger').value;
  if (!ledger) return;
  $('doc-msg').textContent = 'Reconciling…';
  try {
    let job = await ctx.api('POST', '/ledgers/' + ledger + '/reconciliations', { from: $('rc-from').value, to: $('rc-to').value });
    while (job.status === 'running') {
      await new Promise((r) => setTimeout(r, 500));
      job = await ctx.api('GET', '/ledgers/' + ledger + '/reconciliations/' + job.id);
    }
    const counts = job.findings.map((c) => c.count + ' ' + c.rule).join(', ') || 'no findings';
    $('doc-msg').textContent = job.status === 'completed'
      ? `Reconciled ${job.documents} documents with ${job.entries} entries: ${job.matched} matched; ${counts}.`
      : 'The reconciliation failed: ' + job.error;
    $('doc-msg').dataset.state = job.status;
    if (open) show(open.id);
  } catch (e) {
    $('doc-msg').textContent = e.message;
    $('doc-msg').dataset.state = 'refused';
  }
}
