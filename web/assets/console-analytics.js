// Merchant console, Analytics: why things come back and what returns cost and kept, for a range
// of the merchant's days (GET /merchant/analytics), with the CSV exports of the same range.
// Charts are drawn by chart.js (npm, served from kaeru's origin at /assets/vendor/chart.umd.js);
// every chart has its table beside it for screen readers (the canvas itself is hidden from them),
// and the page works with the tables alone when the library cannot load. Figures are the API's.
import { t, word, money } from './i18n.js';
import { h, api, ApiError, generalError } from './common.js';

const CHART_SRC = '/assets/vendor/chart.umd.js';
const COLORS = ['#1f6f50', '#c2571a', '#2f5d9b', '#8a5cad', '#b08a00', '#2a8c8c', '#a33b3b', '#5b6b2f', '#6d6d6d'];
const TOP = 10;

let ctx; // {render, sessionProblem, focusId}

const A = {
  from: '',
  to: '',
  data: null,
  loading: false,
  error: null, // () => text
  errors: [], // field errors of the range
  seq: 0,
  figures: new Map(), // key → {canvas, chart}
};

let chartLib = null; // Promise of window.Chart, or of null when it cannot load

export function init(c) {
  ctx = c;
}

function loadChartLib() {
  if (!chartLib) {
    chartLib = new Promise((resolve) => {
      if (window.Chart) return resolve(window.Chart);
      const s = document.createElement('script');
      s.src = CHART_SRC;
      s.onload = () => resolve(window.Chart || null);
      s.onerror = () => resolve(null);
      document.head.append(s);
    });
  }
  return chartLib;
}

export async function loadAnalytics() {
  const seq = ++A.seq;
  A.loading = true;
  const q = new URLSearchParams();
  if (A.from) q.set('from', A.from);
  if (A.to) q.set('to', A.to);
  try {
    const data = await api('GET', `/merchant/analytics${q.size ? `?${q}` : ''}`);
    if (seq !== A.seq) return;
    A.data = data;
    A.from = data.from;
    A.to = data.to;
    A.error = null;
    A.errors = [];
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (seq !== A.seq) return;
    if (ctx.sessionProblem(err)) return;
    A.errors = err.status === 422 ? err.fieldErrors : [];
    A.error = () => generalError(err);
  }
  A.loading = false;
  for (const f of A.figures.values()) f.chart?.destroy();
  A.figures.clear();
  ctx.render();
  drawCharts();
}

// ---------------------------------------------------------------- charts

// The canvas of a figure, kept across renders (the console rebuilds its DOM on each render).
function canvasFor(key, label) {
  let f = A.figures.get(key);
  if (!f) {
    const canvas = h('canvas', { id: `chart-${key}`, 'aria-hidden': 'true' });
    f = { canvas, chart: null, label };
    A.figures.set(key, f);
  }
  return f.canvas;
}

async function drawCharts() {
  const Chart = await loadChartLib();
  if (!Chart || !A.data) return;
  const d = A.data;
  const specs = {
    rates: () => {
      const ps = d.products.filter((p) => p.return_rate != null).slice(0, TOP);
      return { type: 'bar', data: { labels: ps.map((p) => p.name), datasets: [{ label: t('console.analytics.rate'), data: ps.map((p) => p.return_rate * 100), backgroundColor: COLORS[1] }] },
        options: { indexAxis: 'y', scales: { x: { beginAtZero: true, ticks: { callback: (v) => `${v}%` } } } } };
    },
    reasons: () => ({ type: 'bar', data: { labels: d.reasons.map((r) => word('reason', r.reason)),
      datasets: [{ label: t('console.analytics.units'), data: d.reasons.map((r) => r.units), backgroundColor: COLORS[0] }] },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } }),
    weekly: () => {
      const reasons = d.reasons.map((r) => r.reason);
      return { type: 'line', data: { labels: d.reasons_weekly.map((w) => w.week),
        datasets: reasons.map((r, i) => ({ label: word('reason', r), data: d.reasons_weekly.map((w) => w.reasons[r] || 0),
          borderColor: COLORS[i % COLORS.length], backgroundColor: COLORS[i % COLORS.length], tension: 0.2 })) },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } };
    },
    mix: () => ({ type: 'bar', data: { labels: ['refund', 'store_credit', 'exchange'].map((k) => word('resolution', k)),
      datasets: [{ label: t('console.analytics.amount'), data: ['refund', 'store_credit', 'exchange'].map((k) => d.resolutions[k].amount),
        backgroundColor: [COLORS[1], COLORS[0], COLORS[2]] }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } } }),
  };
  for (const [key, f] of A.figures) {
    if (f.chart || !specs[key] || !f.canvas.isConnected) continue;
    const spec = specs[key]();
    spec.options = { responsive: true, maintainAspectRatio: false, animation: false, ...spec.options };
    f.chart = new Chart(f.canvas, spec);
  }
}

// ---------------------------------------------------------------- the page

function figure(key, title, table) {
  return h(
    'figure',
    { class: 'chart', id: `figure-${key}`, 'aria-labelledby': `figure-${key}-title` },
    h('figcaption', { id: `figure-${key}-title`, class: 'chart-title' }, title),
    h('div', { class: 'chart-box' }, canvasFor(key, title)),
    table,
  );
}

function table(caption, head, rows, { hidden = true, id } = {}) {
  return h(
    'table',
    { class: `rows analytics-table${hidden ? ' visually-hidden' : ''}`, id },
    h('caption', { class: hidden ? null : 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, head.map((x, i) => h('th', { scope: 'col', class: i ? 'num' : null }, x)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((x, i) => (i ? h('td', { class: 'num' }, x) : h('th', { scope: 'row' }, x)))))),
  );
}

const percent = (x) => (x == null ? '—' : `${(x * 100).toFixed(1)}%`);
const hours = (x) => (x == null ? '—' : t('console.analytics.hours', { n: x }));

function rangeForm() {
  const err = (f) => A.errors.filter((e) => e.field === f).map((e) => e.message).join(' ');
  const q = `?from=${encodeURIComponent(A.from)}&to=${encodeURIComponent(A.to)}`;
  const input = (name) => h('div', { class: 'field' },
    h('label', { for: `analytics-${name}` }, t(`console.analytics.${name}`)),
    h('input', { type: 'date', id: `analytics-${name}`, name, value: A[name], 'aria-invalid': err(name) ? 'true' : null,
      'aria-describedby': err(name) ? `analytics-${name}-error` : null, onchange: (e) => (A[name] = e.target.value) }),
    err(name) ? h('p', { class: 'field-error', id: `analytics-${name}-error` }, err(name)) : null);
  return h(
    'form',
    { class: 'analytics-range', id: 'analytics-range', novalidate: true,
      onsubmit: (e) => { e.preventDefault(); loadAnalytics().then(() => ctx.focusId('analytics-heading')); } },
    input('from'),
    input('to'),
    h('button', { type: 'submit', class: 'button button--primary', id: 'analytics-apply' }, t('console.analytics.apply')),
    A.from
      ? h('p', { class: 'analytics-exports' },
        h('a', { href: `/api/v1/merchant/returns.csv${q}`, id: 'export-returns', download: '' }, t('console.analytics.export.returns')),
        ' · ',
        h('a', { href: `/api/v1/merchant/ledger.csv${q}`, id: 'export-ledger', download: '' }, t('console.analytics.export.ledger')))
      : null,
  );
}

export function viewAnalytics() {
  const head = [
    h('h2', { class: 'section-title', id: 'analytics-heading', tabindex: '-1' }, t('console.analytics.heading')),
    h('p', { class: 'hint' }, t('console.analytics.intro')),
    rangeForm(),
  ];
  const d = A.data;
  if (A.error && (!d || A.errors.length)) return [head, h('p', { class: 'notice notice--error', role: 'alert' }, A.error())];
  if (!d) return [head, h('p', { class: 'loading' }, t('app.loading'))];
  const cur = d.currency;
  const stat = (id, label, value) => h('div', { class: 'stat', id: `analytics-${id}` }, h('dt', {}, label), h('dd', {}, value));
  const products = d.products.slice(0, 50);
  const topReasons = (p) => {
    const why = Object.entries(p.reasons || {}).sort((a, b) => b[1] - a[1]).slice(0, 3)
      .map(([r, n]) => `${word('reason', r)} ${n}`).join(', ');
    const said = (p.comments || [])[0]?.text;
    return said ? `${why} — “${said}”` : why;
  };
  return [
    head,
    h('dl', { class: 'stats analytics-stats' },
      stat('refunds', t('console.analytics.refunds'), money(d.refunds, cur)),
      stat('retained', t('console.analytics.retained'), money(d.retained_revenue, cur)),
      stat('fees', t('console.analytics.fees'), money(d.restocking_fees, cur)),
      stat('recovered', t('console.analytics.recovered'), money(d.resale.recovered, cur))),
    h('h3', { class: 'panel-subtitle', id: 'analytics-products' }, t('console.analytics.products')),
    figure('rates', t('console.analytics.rates'),
      table(t('console.analytics.rates'), [t('console.analytics.product'), t('console.analytics.rate')],
        d.products.filter((p) => p.return_rate != null).slice(0, TOP).map((p) => [p.name, percent(p.return_rate)]))),
    h('div', { class: 'table-wrap' },
      table(t('console.analytics.products'),
        [t('console.analytics.product'), t('console.analytics.sold'), t('console.analytics.returned'), t('console.analytics.rate'), t('console.analytics.why')],
        products.map((p) => [p.name, String(p.sold_units), String(p.returned_units), percent(p.return_rate), topReasons(p)]),
        { hidden: false, id: 'analytics-products-table' })),
    h('div', { class: 'chart-row' },
      figure('reasons', t('console.analytics.reasons'),
        table(t('console.analytics.reasons'), [t('console.analytics.reason'), t('console.analytics.units')],
          d.reasons.map((r) => [word('reason', r.reason), String(r.units)]))),
      figure('mix', t('console.analytics.mix'),
        table(t('console.analytics.mix'), [t('console.analytics.resolution'), t('console.analytics.items'), t('console.analytics.amount')],
          ['refund', 'store_credit', 'exchange'].map((k) => [word('resolution', k), String(d.resolutions[k].items), money(d.resolutions[k].amount, cur)])))),
    figure('weekly', t('console.analytics.weekly'),
      table(t('console.analytics.weekly'), [t('console.analytics.week'), ...d.reasons.map((r) => word('reason', r.reason))],
        d.reasons_weekly.map((w) => [w.week, ...d.reasons.map((r) => String(w.reasons[r.reason] || 0))]))),
    h('h3', { class: 'panel-subtitle' }, t('console.analytics.resale')),
    h('dl', { class: 'stats analytics-stats', id: 'analytics-resale' },
      stat('drafted', t('console.analytics.drafted'), String(d.resale.drafted)),
      stat('published', t('console.analytics.published'), String(d.resale.published)),
      stat('sold', t('console.analytics.sold.listings'), String(d.resale.sold)),
      stat('recovered-percent', t('console.analytics.recovered.percent'), d.resale.recovered_percent == null ? '—' : `${d.resale.recovered_percent}%`),
      stat('days', t('console.analytics.days'), d.resale.days_to_sell == null ? '—' : String(d.resale.days_to_sell))),
    h('h3', { class: 'panel-subtitle' }, t('console.analytics.timing')),
    h('div', { class: 'table-wrap' },
      table(t('console.analytics.timing'),
        [t('console.analytics.warehouse'), t('console.analytics.scan.median'), t('console.analytics.scan.p90'),
          t('console.analytics.resolve.median'), t('console.analytics.resolve.p90')],
        d.timing.warehouses.map((w) => [w.warehouse, hours(w.label_to_scan_hours.median), hours(w.label_to_scan_hours.p90),
          hours(w.scan_to_resolution_hours.median), hours(w.scan_to_resolution_hours.p90)]),
        { hidden: false, id: 'analytics-timing' })),
  ];
}

// After each render the cached canvases are in the page again; draw any not drawn yet.
export function afterRender() {
  if (A.data) drawCharts();
}
