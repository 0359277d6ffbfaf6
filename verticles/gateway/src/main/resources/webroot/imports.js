// The import view: a file streamed to the import API, a progress bar fed by
// ui.org.<org>.imports.<id>, and the report with the lines that could not be imported.

const $ = (id) => document.getElementById(id);

export function initImports(ctx) {
  $('import-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const file = $('import-file').files[0];
    const ledger = $('import-ledger').value;
    if (!file || !ledger) {
      $('import-status').textContent = 'Choose a ledger and a file.';
      return;
    }
    const format = /\.(jsonl|ndjson)$/i.test(file.name) ? 'jsonl' : 'csv';
    const bar = $('import-progress');
    bar.value = 0;
    $('import-errors').hidden = true;
    $('import-status').textContent = 'Starting…';
    try {
      const created = await ctx.api('POST', '/ledgers/' + ledger + '/imports', {
        format, mode: $('import-mode').value, delimiter: $('import-delimiter').value,
        decimalSeparator: $('import-decimal').value,
      });
      const address = 'ui.org.' + ctx.session.me.org + '.imports.' + created.id;
      ctx.bus.register(address, (p) => {
        if (p.bytesTotal) bar.value = Math.min(100, Math.round(100 * p.bytesDone / p.bytesTotal));
        $('import-status').textContent = p.rowsDone.toLocaleString() + ' rows read, ' + p.errorCount + ' errors';
      });
      const report = await ctx.upload('/ledgers/' + ledger + '/imports/' + created.id + '/file', file);
      ctx.bus.unregister(address);
      show(report);
    } catch (e) {
      if (e.body && e.body.status && e.body.errors) {
        show(e.body);
      } else {
        $('import-status').textContent = 'The import failed: ' + e.message;
      }
    }
  });
}

function show(report) {
  $('import-progress').value = 100;
  $('import-progress').dataset.done = 'true';
  const imported = report.status === 'completed';
  $('import-status').textContent = (imported ? 'Imported ' : 'Nothing imported (' + report.status + '): ')
    + report.entriesImported.toLocaleString() + ' entries from ' + report.rowsDone.toLocaleString() + ' rows; '
    + report.errorCount + ' line' + (report.errorCount === 1 ? '' : 's') + ' with errors.';
  const tbody = $('import-errors').querySelector('tbody');
  tbody.replaceChildren(...report.errors.map((e) => {
    const tr = document.createElement('tr');
    const line = document.createElement('td');
    line.textContent = e.line === 0 ? 'file' : String(e.line);
    const msg = document.createElement('td');
    msg.textContent = e.message;
    tr.append(line, msg);
    return tr;
  }));
  $('import-errors').hidden = report.errors.length === 0;
}
