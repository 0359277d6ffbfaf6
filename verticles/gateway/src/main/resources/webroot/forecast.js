// The Forecast view: an account's history per period, the forecast and its 80 % and 95 %
// intervals drawn with ECharts (from its WebJar), the method with its held-out error, and the
// points as a table.

import { enumOf } from './contract.js';

const $ = (id) => document.getElementById(id);
let ctx;
let chart = null;

export function initForecast(c) {
  ctx = c;
  $('fc-ledger').addEventListener('change', () => accounts().catch((e) => { $('forecast-msg').textContent = e.message; }));
  $('forecast-form').addEventListener('submit', (ev) => { ev.preventDefault(); run(); });
  window.addEventListener('resize', () => chart && chart.resize());
  // the periods and methods the contracts define, month and auto chosen as the server's defaults are
  for (const [id, field, chosen] of [['fc-period', 'period', 'month'], ['fc-method', 'method', 'auto']]) {
    enumOf('Predictive.ForecastQuery', field).then((values) => {
      $(id).replaceChildren(...values.map((v) => {
        const o = document.createElement('option');
        o.textContent = v;
        return o;
      }));
      $(id).value = chosen;
    }).catch((e) => { $('forecast-msg').textContent = e.message; });
  }
}

async function accounts() {
  if (!$('fc-ledger').value) return;
  const data = await ctx.api('GET', '/ledgers/' + $('fc-ledger').value + '/accounts');
  const chosen = $('fc-account').value;
  $('fc-account').replaceChildren(...data.accounts.map((a) => {
    const o = document.createElement('option');
    o.value = a.code;
    o.textContent = a.code + ' ' + a.name;
    return o;
  }));
  if (chosen && data.accounts.some((a) => a.code === chosen)) $('fc-account').value = chosen;
}

async function run() {
  $('forecast-msg').textContent = 'Fitting…';
  $('forecast-summary').textContent = '';
  const party = $('fc-counterparty').value.trim();
  const q = new URLSearchParams({ period: $('fc-period').value, method: $('fc-method').value, horizon: $('fc-horizon').value });
  if (party) q.set('counterparty', party); else q.set('account', $('fc-account').value);
  if ($('fc-from').value) q.set('from', $('fc-from').value);
  if ($('fc-to').value) q.set('to', $('fc-to').value);
  try {
    const f = await ctx.api('GET', '/ledgers/' + $('fc-ledger').value + '/forecasts?' + q);
    $('forecast-msg').textContent = '';
    summary(f);
    draw(f);
    table(f);
  } catch (e) {
    $('forecast-msg').textContent = e.message;
  }
}

function summary(f) {
  const h = f.holdout;
  const held = h && h.mase != null
    ? `; on the last season held out: MAPE ${h.mape == null ? 'n/a' : h.mape.toFixed(1) + ' %'}, MASE ${h.mase.toFixed(2)}`
    : '; the history was too short to hold a season out';
  const of = f.counterparty != null ? 'payments of ' + f.counterparty : 'account ' + f.account;
  $('forecast-summary').textContent = `${of} · ${f.method}: ${f.model}${held}. ${f.history.length} ${f.period}s of history in ${f.currency}.`;
}

function draw(f) {
  if (!window.echarts) {
    $('forecast-msg').textContent = 'The chart library did not load; the points are in the table.';
    return;
  }
  chart = chart || window.echarts.init($('forecast-chart'));
  const n = f.history.length;
  const periods = f.history.map((p) => p.period).concat(f.points.map((p) => p.period));
  const pad = (values) => Array(n).fill(null).concat(values);
  const num = (s) => Number(s);
  // a band is a transparent lower line and its width stacked on it, filled
  const band = (name, lower, upper, color) => [
    { name, type: 'line', stack: name, color, data: pad(f.points.map((p) => num(p[lower]))), lineStyle: { opacity: 0 },
      symbol: 'none' },
    { name, type: 'line', stack: name, color, data: pad(f.points.map((p) => num(p[upper]) - num(p[lower]))),
      lineStyle: { opacity: 0 }, symbol: 'none', areaStyle: { color, opacity: 0.35 } },
  ];
  // the forecast line starts at the last history point so the two join
  const last = f.history.length ? num(f.history[n - 1].value) : null;
  const forecast = Array(Math.max(0, n - 1)).fill(null).concat([last]).concat(f.points.map((p) => num(p.value)));
  chart.setOption({
    animation: false,
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    legend: { data: ['history', 'forecast', '95 %', '80 %'] },
    grid: { left: 60, right: 20, top: 40, bottom: 60 },
    xAxis: { type: 'category', data: periods },
    yAxis: { type: 'value', scale: true },
    dataZoom: [{ type: 'slider', start: Math.max(0, 100 - 100 * (f.points.length * 4) / periods.length), end: 100 }],
    series: [
      ...band('95 %', 'lower95', 'upper95', '#9ec5fe'),
      ...band('80 %', 'lower80', 'upper80', '#3d8bfd'),
      { name: 'history', type: 'line', color: '#222', data: f.history.map((p) => num(p.value)), symbol: 'none' },
      { name: 'forecast', type: 'line', color: '#0b5ed7', data: forecast, symbol: 'none', lineStyle: { type: 'dashed' } },
    ],
  }, true);
}

function table(f) {
  $('forecast-points').querySelector('tbody').replaceChildren(...f.points.map((p) => {
    const tr = document.createElement('tr');
    for (const [text, num] of [[p.period, false], [p.value, true], [p.lower80 + ' – ' + p.upper80, true],
      [p.lower95 + ' – ' + p.upper95, true]]) {
      const td = document.createElement('td');
      td.textContent = text;
      if (num) td.className = 'num';
      tr.append(td);
    }
    return tr;
  }));
}
