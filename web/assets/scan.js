// Warehouse scan station: /scan/
// Login (staff session cookie) → one scan input for a keyboard-wedge scanner (code + Enter) or
// typing → a large green (received), amber (already received) or red (unknown, canceled, expired,
// wrong warehouse) result, each with its own sound, showing the shop, the customer and the expected
// items → an inspection form per item → the resolution and its money once the last item is done.
//
// Scans never wait for each other: every Enter sends at once, the input is cleared and keeps the
// focus, and the newest answered scan owns the result panel. The last scans live in sessionStorage.
// The server normalises codes (case, hyphen, "KAERU:" prefix); the page sends the trimmed text.
import { t, word, money, dateTime, time, onLangChange, mountLangToggle, translateStatic } from './i18n.js';
import { h, api, ApiError, generalError, field, newKey } from './common.js';
import { announce, keepFocus, loginState, staffLogin } from './staff.js';

const GRADES = ['new', 'like_new', 'good', 'fair', 'damaged'];
const DISPOSITIONS = ['restock', 'resale', 'refurbish', 'recycle', 'return_to_customer'];
const STAFF_ROLES = ['warehouse', 'admin'];
const HISTORY_KEY = 'kaeru.scan.history';
const SOUND_KEY = 'kaeru.scan.sound';
const HISTORY_MAX = 20;
const NOTE_MAX = 1000;

// Scan outcomes → the colour (and sound) staff recognise without reading.
const TONE = {
  pending: 'pending',
  ok: 'ok',
  repeat: 'repeat',
  opened: 'info',
  unknown: 'error',
  canceled: 'error',
  expired: 'error',
  wrong_warehouse: 'error',
  conflict: 'error',
  failed: 'error',
  denied: 'error',
};
const ICON = { ok: '✓', repeat: '↻', info: '•', error: '✕', pending: '…' };

const S = {
  view: 'loading', // loading | login | denied | station
  ...loginState(), // user and the login form (staff.js)
  history: loadHistory(), // [{id, code, rma, kind, warehouse, at}], newest first
  seq: 0, // the last scan number handed out
  shown: 0, // the scan number whose answer the result panel shows
  inflight: new Map(), // scan number → code
  current: null, // {kind, code, rma, warehouse, ret, error}: what the result panel shows
  drafts: {}, // `${rma}/${item_id}` → inspection form state
  photos: {}, // `${rma}/${item_id}` → {list: [{id, url, width, height}], busy, error}: this session's uploads
  sound: loadSound(),
};
S.seq = S.history.reduce((m, e) => Math.max(m, e.id || 0), 0);
S.shown = S.seq;

const app = document.getElementById('app');
const ui = {}; // the station's long-lived elements: scanInput, pending, result, history, station

// ---------------------------------------------------------------- storage

function loadHistory() {
  try {
    const list = JSON.parse(sessionStorage.getItem(HISTORY_KEY) || '[]');
    return Array.isArray(list) ? list.filter((e) => e && e.kind in TONE && e.kind !== 'pending').slice(0, HISTORY_MAX) : [];
  } catch {
    return [];
  }
}

function saveHistory() {
  try {
    const done = S.history.filter((e) => e.kind !== 'pending');
    sessionStorage.setItem(HISTORY_KEY, JSON.stringify(done));
  } catch {
    /* storage disabled: the list lives as long as the page */
  }
}

function loadSound() {
  try {
    return localStorage.getItem(SOUND_KEY) !== 'off';
  } catch {
    return true;
  }
}

// ---------------------------------------------------------------- API and sound

// call('POST', '/scan', {code}) → parsed JSON, or throws ApiError (status 0: no answer).
const call = (method, path, body, headers) => api(method, path, { body, headers });

let audio = null;

// The page's AudioContext, made on the first key or tap (browsers refuse sound before one).
function audioContext() {
  if (!S.sound) return null;
  try {
    if (!audio) {
      const AC = window.AudioContext || window.webkitAudioContext;
      if (!AC) return null;
      audio = new AC();
    }
    if (audio.state === 'suspended') audio.resume().catch(() => {});
    return audio;
  } catch {
    return null;
  }
}

// Each outcome its own tune: [frequency Hz, start s, length s, waveform, volume].
const TUNES = {
  ok: [[880, 0, 0.1, 'sine', 0.35], [1320, 0.11, 0.18, 'sine', 0.35]], // bright rising pair
  repeat: [[660, 0, 0.12, 'triangle', 0.4], [660, 0.2, 0.12, 'triangle', 0.4]], // two flat beeps
  error: [[180, 0, 0.28, 'square', 0.18], [140, 0.34, 0.42, 'square', 0.18]], // low falling buzz
  resolved: [[523, 0, 0.1, 'sine', 0.3], [659, 0.1, 0.1, 'sine', 0.3], [784, 0.2, 0.25, 'sine', 0.3]],
};

function play(tune) {
  const notes = TUNES[tune];
  const ctx = notes && audioContext();
  if (!ctx) return;
  try {
    const start = ctx.currentTime + 0.01;
    for (const [freq, at, len, type, volume] of notes) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = type;
      osc.frequency.value = freq;
      const t0 = start + at;
      const t1 = t0 + len;
      gain.gain.setValueAtTime(0.0001, t0);
      gain.gain.exponentialRampToValueAtTime(volume, t0 + 0.01);
      gain.gain.setValueAtTime(volume, t1 - 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, t1);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0);
      osc.stop(t1 + 0.02);
    }
  } catch {
    /* no sound on this device; the colours still tell */
  }
}

function focusScan() {
  ui.scanInput?.focus();
}

// ---------------------------------------------------------------- top level

function render() {
  document.title = S.user?.warehouse ? `${t('scan.title')} · ${S.user.warehouse}` : t('scan.title');
  renderStationBar();
  if (S.view === 'station') {
    if (!ui.station) buildStation();
    if (app.firstChild !== ui.station) app.replaceChildren(ui.station);
    renderPending();
    renderResult();
    renderHistory();
  } else {
    ui.station = null;
    ui.scanInput = null;
    const views = {
      loading: () => [h('p', { class: 'loading' }, t('app.loading'))],
      login: login.view,
      denied: viewDenied,
    };
    app.replaceChildren(...views[S.view]().flat(Infinity).filter((c) => c != null && c !== false));
  }
  app.setAttribute('aria-busy', String(S.view === 'loading'));
}

function renderStationBar() {
  const bar = document.getElementById('station-bar');
  const u = S.user;
  bar.hidden = !u;
  if (!u) return bar.replaceChildren();
  const place = u.warehouse
    ? [h('span', { class: 'station-place' }, u.warehouse_name || u.warehouse), ' ', h('span', { class: 'station-code', translate: 'no' }, u.warehouse)]
    : h('span', { class: 'station-place' }, u.role === 'admin' ? t('scan.station.all') : u.merchant_name || u.merchant || '');
  bar.replaceChildren(
    h(
      'div',
      { class: 'station-bar-inner' },
      h('p', { class: 'station-who' }, h('span', { class: 'visually-hidden' }, `${t('scan.station.label')}: `), place,
        h('span', { class: 'station-user', id: 'station-user', translate: 'no' }, u.email)),
      h('div', { class: 'station-actions' },
        h('button', {
          type: 'button', class: 'chip chip--sound', id: 'sound-toggle', 'aria-pressed': String(S.sound),
          onclick: toggleSound,
        }, t('scan.sound')),
        login.logoutButton()),
    ),
  );
}

// ---------------------------------------------------------------- login

const login = staffLogin({
  S,
  render,
  enter: enterStation,
  heading: 'scan.login.heading',
  intro: 'scan.login.intro',
  onSubmit: audioContext, // a click or Enter: the moment browsers allow sound
  onLogout() {
    S.history = [];
    saveHistory();
    S.current = null;
    S.drafts = {};
  },
});

function enterStation(user) {
  S.user = user;
  if (!STAFF_ROLES.includes(user?.role)) {
    S.view = 'denied';
    render();
    return document.getElementById('logout')?.focus();
  }
  S.view = 'station';
  render();
  focusScan();
}

function viewDenied() {
  return [
    h('h2', { class: 'step-title' }, t('scan.title')),
    h('p', { class: 'notice notice--error', role: 'alert' }, t('scan.role', { role: word('role', S.user?.role) })),
  ];
}

// The session ended under us (idle expiry, logout elsewhere): back to the login form.
function sessionEnded(code) {
  S.current = null;
  S.drafts = {};
  login.expired(code ? () => t('scan.login.expired.code', { code }) : undefined);
}

function toggleSound() {
  S.sound = !S.sound;
  try {
    localStorage.setItem(SOUND_KEY, S.sound ? 'on' : 'off');
  } catch {
    /* not remembered */
  }
  document.getElementById('sound-toggle')?.setAttribute('aria-pressed', String(S.sound));
  if (S.sound) play('ok');
}

// ---------------------------------------------------------------- the station

function buildStation() {
  ui.scanInput = h('input', {
    type: 'text', id: 'scan-input', class: 'scan-input', name: 'code', autocomplete: 'off', autocapitalize: 'characters',
    autocorrect: 'off', spellcheck: 'false', enterkeyhint: 'go', maxlength: 200, 'aria-describedby': 'scan-hint',
  });
  const form = h(
    'form',
    { class: 'scan-form', id: 'scan-form', novalidate: true, role: 'search', onsubmit: (e) => (e.preventDefault(), submitScan()) },
    h('label', { for: 'scan-input', class: 'scan-label', 'data-i18n': 'scan.input' }, t('scan.input')),
    h('div', { class: 'scan-row' }, ui.scanInput, h('button', { type: 'submit', class: 'scan-go', 'data-i18n': 'scan.submit' }, t('scan.submit'))),
    h('p', { class: 'hint', id: 'scan-hint', 'data-i18n': 'scan.input.hint' }, t('scan.input.hint')),
  );
  ui.pending = h('p', { class: 'scan-pending', id: 'scan-pending', hidden: true });
  ui.result = h('section', { class: 'result', id: 'result', hidden: true, 'aria-labelledby': 'result-headline' });
  ui.history = h('section', { class: 'history', id: 'history', 'aria-labelledby': 'history-title' });
  ui.station = h('div', { class: 'station' }, h('div', { class: 'station-main' }, form, ui.pending, ui.result), ui.history);
}

function submitScan() {
  const code = ui.scanInput.value.trim();
  ui.scanInput.value = '';
  focusScan();
  if (code) scan(code);
}

// What a failed POST /scan means for the person holding the parcel.
function scanProblem(err) {
  const p = err.problem || {};
  if (err.status === 404 || err.status === 422) return { kind: 'unknown' };
  if (err.status === 409) {
    const kind = ['canceled', 'expired', 'wrong_warehouse'].includes(p.return_status) ? p.return_status : 'conflict';
    return { kind, rma: p.rma || null, warehouse: p.warehouse || null, error: err };
  }
  if (err.status === 401) return { kind: 'failed', session: true };
  if (err.status === 403) return { kind: 'denied', error: err };
  return { kind: 'failed', error: err };
}

async function scan(code) {
  const seq = ++S.seq;
  const entry = { id: seq, code, rma: null, kind: 'pending', warehouse: null, at: new Date().toISOString() };
  S.history.unshift(entry);
  S.history.length = Math.min(S.history.length, HISTORY_MAX);
  S.inflight.set(seq, code);
  renderPending();
  renderHistory();
  let outcome;
  try {
    // Its own Idempotency-Key: a retry of a scan that received the parcel still says so.
    const ret = await call('POST', '/scan', { code }, { 'Idempotency-Key': newKey() });
    outcome = { kind: ret.first_scan ? 'ok' : 'repeat', rma: ret.rma, ret };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    outcome = scanProblem(err);
  } finally {
    S.inflight.delete(seq);
  }
  Object.assign(entry, { kind: outcome.kind, rma: outcome.rma || null, warehouse: outcome.warehouse || null });
  saveHistory();
  if (outcome.session) return sessionEnded(code);
  if (S.view !== 'station') return;
  renderPending();
  renderHistory();
  const tone = TONE[outcome.kind];
  const current = { code, ...outcome };
  if (seq > S.shown) {
    S.shown = seq;
    S.current = current;
    renderResult();
    play(tone);
    announce(`${headline(current)}. ${current.rma || code}. ${current.ret ? summary(current.ret) : sub(current)}`);
  } else if (tone === 'error') {
    // A slower answer for an earlier parcel: the panel stays on the newer one, but a problem is never silent.
    play('error');
    announce(t('scan.earlier', { code, result: headline(current) }));
  }
}

async function reopen(entry) {
  if (entry.kind === 'pending') return;
  const seq = ++S.seq;
  S.shown = seq;
  if (!entry.rma || TONE[entry.kind] === 'error') {
    S.current = { kind: entry.kind, code: entry.code, rma: entry.rma, warehouse: entry.warehouse };
    renderResult();
    focusScan();
    return;
  }
  let current;
  try {
    const ret = await call('GET', `/returns/${encodeURIComponent(entry.rma)}`);
    current = { kind: 'opened', code: entry.code, rma: ret.rma, ret };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.status === 401) return sessionEnded(null);
    current = err.status === 404 ? { kind: 'unknown', code: entry.rma } : { kind: 'failed', code: entry.code, rma: entry.rma, error: err };
  }
  if (seq !== S.shown || S.view !== 'station') return;
  S.current = current;
  renderResult();
  focusScan();
}

function renderPending() {
  if (!ui.pending) return;
  const codes = [...S.inflight.values()];
  ui.pending.hidden = codes.length === 0;
  ui.pending.textContent = codes.length ? t('scan.checking', { code: codes[codes.length - 1] }) : '';
  ui.result?.classList.toggle('result--stale', [...S.inflight.keys()].some((seq) => seq > S.shown));
}

function headline(c) {
  switch (c.kind) {
    case 'ok':
      return t('scan.result.ok');
    case 'repeat':
      return t('scan.result.repeat');
    case 'opened':
      return word('status', c.ret.status);
    case 'unknown':
      return t('scan.result.unknown');
    case 'canceled':
    case 'expired':
      return t(`scan.result.${c.kind}`);
    case 'wrong_warehouse':
      return t('scan.result.wrong_warehouse', { warehouse: c.warehouse || '?' });
    case 'conflict':
      return t('scan.result.conflict');
    case 'denied':
      return t('scan.result.denied');
    default:
      return t('scan.result.failed');
  }
}

function sub(c) {
  switch (c.kind) {
    case 'ok':
      return c.ret.status === 'received' ? t('scan.result.ok.sub') : '';
    case 'repeat':
      return c.ret.received_at ? t('scan.result.repeat.sub', { date: dateTime(c.ret.received_at) }) : t('scan.result.repeat.nodate');
    case 'opened':
      return t('scan.result.opened.sub');
    case 'unknown':
      return t('scan.result.unknown.sub', { code: c.code });
    case 'canceled':
    case 'expired':
      return t('scan.result.aside.sub');
    case 'wrong_warehouse':
      return t('scan.result.wrong_warehouse.sub', { warehouse: c.warehouse || '?' });
    case 'conflict':
    case 'denied':
      return c.error?.problem?.detail || '';
    case 'failed':
      return c.error ? generalError(c.error) : '';
    default:
      return '';
  }
}

function summary(ret) {
  const items = (ret.items || []).map((i) => `${i.name || i.sku} × ${i.quantity}`).join(', ');
  return [ret.merchant_name, ret.customer_name, items].filter(Boolean).join('. ');
}

function renderResult() {
  const c = S.current;
  const r = ui.result;
  if (!r) return;
  r.hidden = !c;
  if (!c) return r.replaceChildren();
  const tone = TONE[c.kind];
  r.className = `result result--${tone}`;
  r.dataset.kind = c.kind;
  const subText = sub(c);
  keepFocus(() =>
    r.replaceChildren(
      h(
        'div',
        { class: 'result-banner' },
        h('span', { class: 'result-icon', 'aria-hidden': 'true' }, ICON[tone]),
        h(
          'div',
          { class: 'result-text' },
          h('h2', { class: 'result-headline', id: 'result-headline' }, headline(c)),
          h('p', { class: 'result-code', translate: 'no' }, c.rma || c.code || ''),
          subText ? h('p', { class: 'result-sub' }, subText) : null,
        ),
      ),
      c.ret ? returnDetails(c.ret) : null,
    ),
  );
  renderPending();
}

function returnDetails(ret) {
  const fact = (label, value) => (value ? h('div', {}, h('dt', {}, label), h('dd', {}, value)) : null);
  return h(
    'div',
    { class: 'result-body' },
    h(
      'dl',
      { class: 'result-facts' },
      fact(t('scan.merchant'), h('span', { class: 'fact-merchant' }, ret.merchant_name || ret.merchant)),
      fact(t('scan.customer'), h('span', { class: 'fact-customer' }, ret.customer_name)),
      fact(t('scan.order'), ret.order_number),
      fact(t('scan.status'), h('span', { class: `status-pill status-pill--${ret.status}`, id: 'result-status' }, word('status', ret.status))),
    ),
    ret.status === 'resolved' ? resolutionBox(ret) : null,
    h('h3', { class: 'section-title', id: 'expected-title' }, t('scan.expected')),
    h('ul', { class: 'cards scan-items', 'aria-labelledby': 'expected-title' }, (ret.items || []).map((item) => h('li', {}, itemCard(ret, item)))),
    (ret.customer_photos || []).length
      ? [
        h('h3', { class: 'section-title', id: 'customer-photos-title' }, t('scan.photos.customer')),
        h('ul', { class: 'photo-thumbs', id: 'customer-photos', 'aria-labelledby': 'customer-photos-title' },
          ret.customer_photos.map((ph) => h('li', {}, h('a', { href: ph.url, target: '_blank', rel: 'noopener' }, h('img', {
            src: ph.url.replace(/-\d+\.jpg$/, `-${Math.min(400, ph.width)}.jpg`), alt: t('scan.photos.customer.alt'),
            width: 96, height: Math.round((96 * ph.height) / ph.width), loading: 'lazy',
          }))))),
      ]
      : null,
  );
}

function resolutionBox(ret) {
  const f = ret.refund || {};
  const cur = f.currency || ret.currency;
  const row = (cls, label, value) => h('div', { class: `money-row money-row--${cls}` }, h('dt', {}, label), h('dd', {}, value));
  const missing = f.missing || 0;
  return h(
    'section',
    { class: 'resolution', id: 'resolution', 'aria-labelledby': 'resolution-title' },
    h('h3', { class: 'resolution-title', id: 'resolution-title' }, t('scan.resolved')),
    h(
      'dl',
      { class: 'money' },
      f.refund ? row('refund', t('scan.money.refund'), money(f.refund, cur)) : null,
      f.restocking_fee ? row('fee', t('scan.money.fee'), money(f.restocking_fee, cur)) : null,
      f.store_credit
        ? row('credit', t('scan.money.credit'), [money(f.store_credit, cur),
            f.store_credit_bonus ? h('span', { class: 'money-note' }, ` (${t('scan.money.bonus', { amount: money(f.store_credit_bonus, cur) })})`) : null])
        : null,
      (ret.exchanges || []).map((x) => row('exchange', t('scan.money.exchange'), `${x.variant || x.sku} × ${x.quantity}`)),
      missing ? row('missing', t('scan.money.missing'), missing === 1 ? t('scan.money.unit') : t('scan.money.units', { n: missing })) : null,
      row('total', t('scan.money.total'), money(f.amount ?? 0, cur)),
    ),
  );
}

function itemWants(item) {
  return item.resolution === 'exchange'
    ? t('scan.item.exchange', { variant: item.exchange_variant || item.exchange_sku || '' })
    : word('resolution', item.resolution);
}

function itemCard(ret, item) {
  const done = item.status === 'inspected';
  return h(
    'article',
    { class: `card card--compact scan-item${done ? ' scan-item--done' : ''}`, id: `item-${item.item_id}`, 'data-sku': item.sku },
    h('h4', { class: 'card-title' }, item.name || item.sku),
    h('p', { class: 'variant' }, [item.variant, item.sku].filter(Boolean).join(' · ')),
    h(
      'dl',
      { class: 'facts' },
      h('div', {}, h('dt', {}, t('scan.item.qty')), h('dd', { class: 'item-qty' }, item.quantity)),
      h('div', {}, h('dt', {}, t('scan.item.reason')), h('dd', {}, word('reason', item.reason))),
      h('div', {}, h('dt', {}, t('scan.item.resolution')), h('dd', { class: 'item-wants' }, itemWants(item))),
    ),
    item.comment ? h('p', { class: 'comment' }, item.comment) : null,
    done ? inspectedSummary(item) : ret.status === 'received' ? inspectForm(ret, item) : null,
    ret.status === 'received' || ret.status === 'resolved' ? photoField(ret, item) : null,
  );
}

// ---------------------------------------------------------------- photos

// Photos of one item, from the phone's camera or a webcam, before or after grading. Each goes up
// as it is chosen (the server strips its metadata and keeps renditions); the thumbnails are the
// item's photos, earlier ones included.
function photoField(ret, item) {
  const key = `${ret.rma}/${item.item_id}`;
  const p = (S.photos[key] ||= { list: [], busy: 0, error: null });
  for (const ph of item.photos || []) if (!p.list.some((x) => x.id === ph.id)) p.list.push(ph); // taken earlier
  const id = `i${item.item_id}-photos`;
  return h(
    'div',
    { class: 'field photo-field', id },
    h('label', { for: `${id}-input` }, t('scan.photos.label')),
    h('input', {
      type: 'file', id: `${id}-input`, name: 'photos', accept: 'image/*', capture: 'environment', multiple: true,
      onchange: (e) => {
        const files = [...e.target.files];
        e.target.value = '';
        for (const f of files) uploadPhoto(ret, item, f);
      },
    }),
    p.busy ? h('p', { class: 'hint', role: 'status' }, t('scan.photos.busy', { n: p.busy })) : null,
    p.error ? h('p', { class: 'field-error', role: 'alert' }, p.error) : null,
    p.list.length
      ? h('ul', { class: 'photo-thumbs' }, p.list.map((ph) => h('li', {}, h('img', {
        src: ph.url.replace(/-\d+\.jpg$/, '-400.jpg'), alt: t('scan.photos.alt', { name: item.name || item.sku }),
        width: 96, height: Math.round((96 * ph.height) / ph.width), loading: 'lazy',
      }))))
      : null,
  );
}

async function uploadPhoto(ret, item, file) {
  const key = `${ret.rma}/${item.item_id}`;
  const p = S.photos[key];
  p.busy++;
  p.error = null;
  rerenderItem(currentRet(ret), currentItem(ret, item));
  try {
    const res = await fetch(`/api/v1/returns/${encodeURIComponent(ret.rma)}/items/${encodeURIComponent(item.item_id)}/photos`, {
      method: 'POST', body: file, headers: { 'Content-Type': file.type || 'image/jpeg', Accept: 'application/json' }, cache: 'no-store',
    });
    const data = await res.json().catch(() => null);
    if (res.status === 401) return sessionEnded(null);
    if (!res.ok) {
      const detail = res.status === 413 ? t('scan.photos.err.large')
        : res.status === 422 || res.status === 415 ? t('scan.photos.err.image')
          : res.status >= 500 ? t('err.server') // e.g. 503: not read in time, send it again
            : data?.detail || t('err.check');
      p.error = t('scan.photos.err', { name: file.name, detail });
    } else if (!p.list.some((x) => x.id === data.id)) {
      p.list.push(data);
      announce(t('scan.photos.added', { name: item.name || item.sku }));
    }
  } catch {
    p.error = t('scan.photos.err', { name: file.name, detail: t('err.network') });
  } finally {
    p.busy--;
    rerenderItem(currentRet(ret), currentItem(ret, item));
  }
}

// The return and item as the result panel shows them now (an inspection may have answered meanwhile).
function currentRet(ret) {
  return S.current?.ret?.rma === ret.rma ? S.current.ret : ret;
}
function currentItem(ret, item) {
  return (currentRet(ret).items || []).find((i) => i.item_id === item.item_id) || item;
}

function inspectedSummary(item) {
  const parts = [t('scan.inspect.done', { received: item.received_quantity ?? 0, quantity: item.quantity })];
  if (item.grade) parts.push(word('grade', item.grade));
  if (item.disposition) parts.push(word('disposition', item.disposition));
  return h(
    'div',
    { class: 'inspected' },
    h('p', { class: 'inspected-line' }, parts.join(' · ')),
    item.note ? h('p', { class: 'comment' }, item.note) : null,
  );
}

// ---------------------------------------------------------------- inspection

function draftOf(ret, item) {
  const key = `${ret.rma}/${item.item_id}`;
  if (!S.drafts[key]) {
    S.drafts[key] = { received_quantity: String(item.quantity), grade: null, disposition: null, note: '', public_note: '', errors: {}, formError: null, busy: false };
  }
  return S.drafts[key];
}

function receivedOf(d) {
  return /^\d+$/.test(String(d.received_quantity).trim()) ? Number(d.received_quantity) : NaN;
}

// Re-renders one item's card in place, keeping the focus where it was.
function rerenderItem(ret, item) {
  const old = document.getElementById(`item-${item.item_id}`);
  if (old) keepFocus(() => old.replaceWith(itemCard(ret, item)));
}

function errorSlot(id, thunk) {
  return h('p', { class: 'field-error', id, hidden: !thunk }, thunk ? thunk() : '');
}

// Whether units of this grade may go to resale, as the return's answer says (the merchant's policy).
function resalable(ret, grade) {
  return (ret.resalable_grades || []).includes(grade);
}

function inspectForm(ret, item) {
  const d = draftOf(ret, item);
  const id = `i${item.item_id}`;
  const q = receivedOf(d);
  const missing = q === 0;
  const update = () => rerenderItem(ret, item);
  const setQty = (v) => {
    const wasZero = receivedOf(d) === 0;
    d.received_quantity = String(v);
    delete d.errors.received_quantity;
    if (wasZero !== (receivedOf(d) === 0)) update();
  };
  const step = (delta) => {
    const n = Number.isNaN(receivedOf(d)) ? item.quantity : receivedOf(d);
    d.received_quantity = String(Math.min(item.quantity, Math.max(0, n + delta)));
    delete d.errors.received_quantity;
    update();
  };

  const qtyInput = h('input', {
    type: 'number', id: `${id}-qty`, class: 'qty-input', name: 'received_quantity', inputmode: 'numeric', min: 0, max: item.quantity,
    step: 1, required: true, value: d.received_quantity, 'aria-invalid': d.errors.received_quantity ? 'true' : null,
    'aria-describedby': `${id}-qty-of${d.errors.received_quantity ? ` ${id}-qty-error` : ''}`,
    oninput: (e) => setQty(e.target.value),
  });
  const qty = h(
    'div',
    { class: 'field qty-field' },
    h('label', { for: `${id}-qty` }, t('scan.inspect.received')),
    h(
      'div',
      { class: 'qty-row' },
      h('button', { type: 'button', class: 'qty-step', id: `${id}-less`, 'aria-label': t('scan.inspect.less'), disabled: q === 0, onclick: () => step(-1) }, '−'),
      qtyInput,
      h('button', { type: 'button', class: 'qty-step', id: `${id}-more`, 'aria-label': t('scan.inspect.more'), disabled: q >= item.quantity, onclick: () => step(1) }, '+'),
      h('span', { class: 'qty-of', id: `${id}-qty-of` }, t('scan.inspect.of', { n: item.quantity })),
    ),
    errorSlot(`${id}-qty-error`, d.errors.received_quantity),
  );

  const choices = (name, values, group, disabledValue) =>
    h(
      'fieldset',
      {
        class: `choices seg-field${d.errors[name] ? ' seg-field--invalid' : ''}`, id: `${id}-${name}`,
        'aria-describedby': d.errors[name] ? `${id}-${name}-error` : null,
      },
      h('legend', {}, t(`scan.inspect.${name}`)),
      h(
        'div',
        { class: `seg seg--${name}` },
        values.map((v) =>
          h(
            'label',
            { class: `seg-btn seg-btn--${v}` },
            h('span', {}, word(group, v)),
            h('input', {
              type: 'radio', name: `${id}-${name}`, id: `${id}-${name}-${v}`, value: v, checked: d[name] === v,
              disabled: v === disabledValue,
              onchange: () => {
                d[name] = v;
                delete d.errors[name];
                if (name === 'grade' && !resalable(ret, v) && d.disposition === 'resale') d.disposition = null;
                update();
              },
            }),
          ),
        ),
      ),
      name === 'disposition' && d.grade && !resalable(ret, d.grade) ? h('p', { class: 'hint' }, t('scan.inspect.noresale')) : null,
      errorSlot(`${id}-${name}-error`, d.errors[name]),
    );

  const note = field({
    id: `${id}-note`,
    label: t('scan.inspect.note'),
    control: h('input', { type: 'text', name: 'note', maxlength: NOTE_MAX, autocomplete: 'off', value: d.note, oninput: (e) => (d.note = e.target.value) }),
  });
  note.setError(d.errors.note?.());
  const publicNote = field({
    id: `${id}-public_note`,
    label: t('scan.inspect.public_note'),
    control: h('input', { type: 'text', name: 'public_note', maxlength: NOTE_MAX, autocomplete: 'off', value: d.public_note, oninput: (e) => (d.public_note = e.target.value) }),
  });
  publicNote.setError(d.errors.public_note?.());

  return h(
    'form',
    { class: 'inspect', id: `${id}-form`, novalidate: true, onsubmit: (e) => (e.preventDefault(), inspect(ret, item)) },
    qty,
    missing ? h('p', { class: 'note' }, t('scan.inspect.missing')) : null,
    missing ? null : choices('grade', GRADES, 'grade', null),
    missing ? null : choices('disposition', DISPOSITIONS, 'disposition', d.grade && !resalable(ret, d.grade) ? 'resale' : null),
    note.wrap,
    missing ? null : publicNote.wrap,
    d.formError ? h('div', { class: 'notice notice--error', role: 'alert', id: `${id}-form-error`, tabindex: '-1' }, d.formError()) : null,
    h(
      'button',
      { type: 'submit', class: 'button button--primary inspect-submit', id: `${id}-submit`, disabled: d.busy, 'aria-busy': String(d.busy) },
      t(d.busy ? 'scan.inspect.busy' : 'scan.inspect.submit'),
    ),
  );
}

function inspectionErrors(d, item, ret) {
  const errors = {};
  const q = receivedOf(d);
  if (Number.isNaN(q) || q > item.quantity) errors.received_quantity = () => t('scan.inspect.err.received_quantity', { n: item.quantity });
  if (q > 0) {
    if (!d.grade) errors.grade = () => t('scan.inspect.err.grade');
    if (!d.disposition) errors.disposition = () => t('scan.inspect.err.disposition');
    else if (d.grade && !resalable(ret, d.grade) && d.disposition === 'resale') errors.disposition = () => t('scan.inspect.err.resale');
  }
  if (d.note.length > NOTE_MAX) errors.note = () => t('scan.inspect.err.note');
  if (d.public_note.length > NOTE_MAX) errors.public_note = () => t('scan.inspect.err.note');
  return errors;
}

// A 422 from the server, field by field, in the page's words where it knows the field.
function serverErrors(err, d, item, ret) {
  const errors = {};
  const known = {
    received_quantity: () => t('scan.inspect.err.received_quantity', { n: item.quantity }),
    grade: () => t('scan.inspect.err.grade'),
    disposition: () => (d.grade && !resalable(ret, d.grade) && d.disposition === 'resale' ? t('scan.inspect.err.resale') : t('scan.inspect.err.disposition')),
    note: () => t('scan.inspect.err.note'),
    public_note: () => t('scan.inspect.err.note'),
  };
  for (const e of err.fieldErrors) {
    if (known[e.field]) errors[e.field] = known[e.field];
  }
  return errors;
}

function focusFirstError(item, errors) {
  const id = `i${item.item_id}`;
  const targets = {
    received_quantity: `${id}-qty`,
    grade: `${id}-grade-${GRADES[0]}`,
    disposition: `${id}-disposition-${DISPOSITIONS[0]}`,
    note: `${id}-note`,
    public_note: `${id}-public_note`,
  };
  const first = Object.keys(targets).find((k) => errors[k]);
  if (first) {
    const group = document.getElementById(`${id}-${first}`);
    const checked = group?.querySelector('input:checked:not(:disabled)');
    (checked || document.getElementById(targets[first]))?.focus();
  } else {
    document.getElementById(`${id}-form-error`)?.focus();
  }
}

async function inspect(ret, item) {
  const d = draftOf(ret, item);
  if (d.busy) return;
  d.formError = null;
  d.errors = inspectionErrors(d, item, ret);
  if (Object.keys(d.errors).length) {
    rerenderItem(ret, item);
    return focusFirstError(item, d.errors);
  }
  const q = receivedOf(d);
  const body = { received_quantity: q };
  if (q > 0) {
    body.grade = d.grade;
    body.disposition = d.disposition;
  }
  if (d.note.trim()) body.note = d.note.trim();
  if (q > 0 && d.public_note.trim()) body.public_note = d.public_note.trim();

  d.busy = true;
  rerenderItem(ret, item);
  const name = item.name || item.sku;
  let next;
  try {
    next = await call('POST', `/returns/${encodeURIComponent(ret.rma)}/items/${encodeURIComponent(item.item_id)}/inspection`, body);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    d.busy = false;
    if (err.status === 401) return sessionEnded(null);
    if (err.status === 422) {
      d.errors = serverErrors(err, d, item, ret);
      if (!Object.keys(d.errors).length) d.formError = () => err.problem.detail || err.problem.title || t('err.check');
    } else if (err.status === 409) {
      d.formError = () => t('scan.inspect.conflict');
      try {
        showReturn(await call('GET', `/returns/${encodeURIComponent(ret.rma)}`));
      } catch {
        /* the form keeps its error; the next scan shows the truth */
      }
    } else {
      d.formError = () => generalError(err);
    }
    if (d.formError) announce(d.formError());
    const shown = S.current?.ret?.rma === ret.rma ? S.current.ret : ret;
    const now = (shown.items || []).find((i) => i.item_id === item.item_id) || item;
    rerenderItem(shown, now);
    return focusFirstError(now, d.errors);
  }
  delete S.drafts[`${ret.rma}/${item.item_id}`];
  showReturn(next);
  if (next.status === 'resolved') {
    play('resolved');
    announce(t('scan.resolved.announce', { rma: next.rma, amount: money(next.refund?.amount ?? 0, next.refund?.currency || next.currency) }));
  } else {
    announce(t('scan.inspect.announce', { name }));
  }
  focusScan();
}

// A newer state of a return: shown when the panel still shows that return and not a later state of
// it (two items inspected back to back: the first answer, arriving last, lacks the second item's).
function showReturn(ret) {
  const shown = S.current?.ret;
  if (shown?.rma !== ret.rma || (ret.events || []).length < (shown.events || []).length) return;
  S.current = { ...S.current, ret };
  renderResult();
}

// ---------------------------------------------------------------- last scans

function renderHistory() {
  if (!ui.history) return;
  keepFocus(() =>
    ui.history.replaceChildren(
      h('h2', { class: 'section-title', id: 'history-title' }, t('scan.history')),
      S.history.length
        ? h(
            'ol',
            { class: 'history-list', id: 'history-list' },
            S.history.map((e) => {
              const tone = TONE[e.kind];
              return h(
                'li',
                {},
                h(
                  'button',
                  {
                    type: 'button', class: `history-item history-item--${tone}`, id: `scan-${e.id}`, disabled: e.kind === 'pending',
                    onclick: () => reopen(e),
                  },
                  h('span', { class: 'history-icon', 'aria-hidden': 'true' }, ICON[tone]),
                  h('span', { class: 'history-code', translate: 'no' }, e.rma || e.code),
                  h('span', { class: 'history-result' }, t(`scan.history.${e.kind}`)),
                  h('time', { class: 'history-time', datetime: e.at }, time(e.at)),
                ),
              );
            }),
          )
        : h('p', { class: 'hint' }, t('scan.history.empty')),
    ),
  );
}

// ---------------------------------------------------------------- keys

function isTextEntry(el, key) {
  if (!el || el === document.body) return false;
  if (el.isContentEditable || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  if (el.tagName !== 'INPUT') return false;
  if (el.type === 'number') return /^[0-9]$/.test(key);
  return ['text', 'email', 'password', 'search', 'tel', 'url'].includes(el.type);
}

// A scanner types wherever the focus is: keys that land on a button or radio button go to the
// scan input instead of being lost.
document.addEventListener(
  'keydown',
  (e) => {
    audioContext();
    if (S.view !== 'station' || !ui.scanInput || e.defaultPrevented) return;
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    if (e.key.length !== 1 || e.key === ' ' || e.target === ui.scanInput || isTextEntry(e.target, e.key)) return;
    e.preventDefault();
    ui.scanInput.focus();
    ui.scanInput.value += e.key;
  },
  true,
);
document.addEventListener('pointerdown', () => audioContext(), true);

// ---------------------------------------------------------------- start

mountLangToggle(document.getElementById('lang-toggle'));
translateStatic();
onLangChange(() => keepFocus(render));
render();
login.start();
