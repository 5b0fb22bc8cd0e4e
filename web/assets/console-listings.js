// Merchant console, listings the merchant fixes after deciding them: a published listing's price,
// title, public note and photo order (PATCH /merchant/listings/{id}), its withdrawal from the shop
// back to review (POST …/withdraw, after a confirmation), and a rejected listing's restoration to
// review (POST …/restore). A price the server finds too low (422 naming `price`, under 30% of the
// original or the merchant's floor) asks once more and is sent again with confirm_low_price.
// console.js owns the page and the lists: it shows what this module returns in the Published and
// Rejected tables and passes what the module needs in init(). The page never decides money: the
// server says when a price is low; the page only converts what the merchant types.
import { t, word, money, lang } from './i18n.js';
import { h, api, ApiError, generalError, field } from './common.js';

const TITLE_MAX = 255;
const NOTE_MAX = 1000;

let ctx; // {render, sessionProblem, announce, focusId, priceInput, parsePrice, digitsOf, currency, onChanged}

const E = {}; // listing id → the editor: {title, price, note, order, errors, formError, busy, low, notice}
const A = {}; // listing id → {confirming, busy, error}: withdraw / restore
const N = {}; // tab → the last change's notice {kind, text: () => text}

export function init(c) {
  ctx = c;
}

const key = (l) => String(l.id);
const cur = (l) => l.currency || ctx.currency();
const base = (l) => `edit-${key(l)}`;

// A photo's smallest JPEG rendition (400 px wide, or its own width when narrower).
function thumb(p) {
  const w = Math.min(400, p.width);
  return { src: p.url.replace(/-\d+\.jpg$/, `-${w}.jpg`), width: w, height: Math.round((w * p.height) / p.width) };
}

// ---------------------------------------------------------------- what console.js shows

// The notice of the last withdrawal, restoration or edit in this tab.
export function listingNotice(tab) {
  const n = N[tab];
  return n ? h('p', { class: `notice notice--${n.kind}`, id: `${tab}-notice`, role: 'status', tabindex: '-1' }, n.text()) : null;
}

export function actionsHeader(tab) {
  return tab === 'published' || tab === 'rejected' ? h('th', { scope: 'col' }, t('console.col.actions')) : null;
}

export function actionsCell(tab, l) {
  if (tab !== 'published' && tab !== 'rejected') return null;
  const k = key(l);
  const a = A[k] || {};
  const id = `act-${k}`;
  let body;
  if (tab === 'rejected') {
    body = h('button', {
      type: 'button', class: 'chip', id: `${id}-restore`, disabled: !!a.busy, 'aria-busy': String(!!a.busy),
      'aria-label': t('console.restore.one', { title: l.title }), onclick: () => restore(l),
    }, t(a.busy ? 'console.restore.busy' : 'console.restore'));
  } else if (a.confirming) {
    body = h('div', { class: 'row-confirm', role: 'group', 'aria-labelledby': `${id}-confirm-text` },
      h('p', { id: `${id}-confirm-text` }, t('console.withdraw.ask', { title: l.title })),
      h('div', { class: 'row-actions' },
        h('button', { type: 'button', class: 'chip chip--danger', id: `${id}-withdraw-yes`, disabled: !!a.busy, 'aria-busy': String(!!a.busy), onclick: () => withdraw(l) },
          t(a.busy ? 'console.withdraw.busy' : 'console.withdraw.yes')),
        h('button', { type: 'button', class: 'chip', id: `${id}-withdraw-no`, disabled: !!a.busy, onclick: () => askWithdraw(l, false) }, t('console.withdraw.no'))));
  } else {
    const open = !!E[k];
    body = h('div', { class: 'row-actions' },
      h('button', {
        type: 'button', class: 'chip', id: `${id}-edit`, 'aria-expanded': String(open), 'aria-controls': `${base(l)}-form`,
        'aria-label': t('console.edit.one', { title: l.title }), onclick: () => (open ? closeEditor(l) : openEditor(l)),
      }, t('console.edit')),
      h('button', {
        type: 'button', class: 'chip chip--danger', id: `${id}-withdraw`, 'aria-label': t('console.withdraw.one', { title: l.title }),
        onclick: () => askWithdraw(l, true),
      }, t('console.withdraw')));
  }
  return h('td', { 'data-label': t('console.col.actions'), class: 'row-actions-cell' },
    body,
    a.error ? h('p', { class: 'field-error', id: `${id}-error`, role: 'alert' }, a.error()) : null);
}

// The editor of a published listing, a row of its own under the listing's row (cols wide).
export function editorRow(tab, l, cols) {
  if (tab !== 'published' || !E[key(l)]) return null;
  return h('tr', { class: 'edit-row', id: `${base(l)}-row` }, h('td', { colspan: cols, class: 'edit-cell' }, editor(l)));
}

// ---------------------------------------------------------------- the editor

function openEditor(l) {
  const c = cur(l);
  E[key(l)] = {
    title: l.title || '', price: ctx.priceInput(l.price, c), note: l.public_note || '', order: [...(l.photos || [])],
    errors: {}, formError: null, busy: false, low: null,
  };
  N.published = null;
  ctx.render();
  ctx.focusId(`${base(l)}-title`);
}

function closeEditor(l) {
  delete E[key(l)];
  ctx.render();
  ctx.focusId(`act-${key(l)}-edit`);
}

function move(l, at, by) {
  const order = E[key(l)].order;
  const to = at + by;
  if (to < 0 || to >= order.length) return;
  [order[at], order[to]] = [order[to], order[at]];
  const p = order[to];
  ctx.render();
  // The focus stays with the moved photo; at an end its other button takes it.
  const id = `${base(l)}-photo-${p.id}`;
  const same = document.getElementById(`${id}-${by < 0 ? 'up' : 'down'}`);
  if (same && !same.disabled) same.focus();
  else document.getElementById(`${id}-${by < 0 ? 'down' : 'up'}`)?.focus();
  ctx.announce(t('console.photos.moved', { n: to + 1, of: order.length }));
}

function photoList(l, e) {
  const id = base(l);
  if (!e.order.length) return h('p', { class: 'hint', id: `${id}-photos-none` }, t('console.photos.none'));
  const last = e.order.length - 1;
  return h(
    'ol',
    { class: 'photo-order', id: `${id}-photo_order`, tabindex: '-1', 'aria-labelledby': `${id}-photos-label`,
      'aria-describedby': e.errors.photo_order ? `${id}-photo_order-error` : null },
    e.order.map((p, i) => {
      const th = thumb(p);
      const n = i + 1;
      return h('li', { class: 'photo-order-item', id: `${id}-photo-${p.id}`, 'data-photo': p.id },
        h('img', { src: th.src, width: th.width, height: th.height, alt: t('console.photos.alt', { n, title: l.title }), loading: 'lazy' }),
        h('span', { class: 'photo-order-n', 'aria-hidden': 'true' }, String(n)),
        h('div', { class: 'photo-order-moves' },
          h('button', {
            type: 'button', class: 'chip', id: `${id}-photo-${p.id}-up`, disabled: i === 0 || e.busy,
            'aria-label': t('console.photos.up', { n }), onclick: () => move(l, i, -1),
          }, '↑'),
          h('button', {
            type: 'button', class: 'chip', id: `${id}-photo-${p.id}-down`, disabled: i === last || e.busy,
            'aria-label': t('console.photos.down', { n }), onclick: () => move(l, i, 1),
          }, '↓')));
    }),
  );
}

function editor(l) {
  const e = E[key(l)];
  const id = base(l);
  const c = cur(l);
  const title = field({
    id: `${id}-title`,
    label: t('console.field.title'),
    control: h('input', {
      type: 'text', name: 'title', maxlength: TITLE_MAX + 50, autocomplete: 'off', value: e.title, disabled: e.busy,
      oninput: (ev) => (e.title = ev.target.value),
    }),
  });
  title.setError(e.errors.title?.());
  const price = field({
    id: `${id}-price`,
    label: t('console.field.price', { currency: c }),
    hint: t('console.edit.price.hint', { amount: money(l.original_price, c) }),
    control: h('input', {
      type: 'text', name: 'price', inputmode: ctx.digitsOf(c) ? 'decimal' : 'numeric', autocomplete: 'off', maxlength: 16,
      class: 'price-input', value: e.price, disabled: e.busy || !!e.low,
      oninput: (ev) => (e.price = ev.target.value),
    }),
  });
  price.setError(e.errors.price?.());
  const note = field({
    id: `${id}-public_note`,
    label: t('console.field.public_note'),
    hint: t('console.field.public_note.hint', { max: NOTE_MAX }),
    control: h('textarea', {
      name: 'public_note', maxlength: NOTE_MAX, rows: 3, value: e.note, disabled: e.busy,
      oninput: (ev) => (e.note = ev.target.value),
    }),
  });
  note.setError(e.errors.public_note?.());

  const low = e.low
    ? h('div', { class: 'low-price', id: `${id}-low`, role: 'alert' },
        h('p', { class: 'low-price-text', id: `${id}-low-text` },
          t('console.low.ask', { percent: e.low.percent, original: money(l.original_price, c), price: money(e.low.price, c) })),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'button button--danger low-price-yes', id: `${id}-low-yes`, disabled: e.busy, 'aria-busy': String(e.busy), onclick: () => save(l, true) },
            t('console.low.yes', { price: money(e.low.price, c) })),
          h('button', { type: 'button', class: 'button button--link', id: `${id}-low-no`, disabled: e.busy, onclick: () => backToPrice(l) }, t('console.low.no'))))
    : null;

  return h(
    'form',
    { class: 'edit-form', id: `${id}-form`, novalidate: true, 'aria-labelledby': `${id}-heading`, onsubmit: (ev) => (ev.preventDefault(), save(l, false)) },
    h('h3', { class: 'edit-heading', id: `${id}-heading` }, t('console.edit.heading', { title: l.title })),
    h('div', { class: 'edit-fields' }, title.wrap, price.wrap),
    note.wrap,
    h('div', { class: 'field' },
      h('p', { class: 'field-label', id: `${id}-photos-label` }, t('console.photos')),
      e.order.length > 1 ? h('p', { class: 'hint' }, t('console.photos.hint')) : null,
      photoList(l, e),
      e.errors.photo_order ? h('p', { class: 'field-error', id: `${id}-photo_order-error` }, e.errors.photo_order()) : null),
    e.formError ? h('div', { class: 'notice notice--error', role: 'alert', id: `${id}-error`, tabindex: '-1' }, e.formError()) : null,
    low ||
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'button button--primary', id: `${id}-save`, disabled: e.busy, 'aria-busy': String(e.busy) },
          t(e.busy ? 'console.edit.busy' : 'console.edit.save')),
        h('button', { type: 'button', class: 'button button--link', id: `${id}-cancel`, disabled: e.busy, onclick: () => closeEditor(l) }, t('console.edit.cancel'))),
  );
}

function backToPrice(l) {
  const e = E[key(l)];
  e.low = null;
  ctx.render();
  ctx.focusId(`${base(l)}-price`);
}

// What changed, as the PATCH body; {errors} when a field cannot be sent as it is.
function changes(l, e) {
  const c = cur(l);
  const errors = {};
  const body = {};
  const price = ctx.parsePrice(e.price, c);
  if (!Number.isSafeInteger(price) || price < 1) errors.price = () => t('console.err.price', { min: money(1, c) });
  else if (price !== l.price) body.price = price;
  const title = e.title.trim();
  if (!title || [...title].length > TITLE_MAX) errors.title = () => t('console.err.title', { max: TITLE_MAX });
  else if (title !== l.title) body.title = title;
  if ([...e.note].length > NOTE_MAX) errors.public_note = () => t('console.err.public_note', { max: NOTE_MAX });
  else if (e.note !== (l.public_note || '')) body.public_note = e.note;
  const ids = e.order.map((p) => p.id);
  if (ids.some((pid, i) => pid !== (l.photos || [])[i]?.id)) body.photo_order = ids;
  return { errors, body };
}

const FIELDS = ['title', 'price', 'public_note', 'photo_order'];

function focusFirstError(l) {
  const e = E[key(l)];
  const first = FIELDS.find((f) => e.errors[f]);
  ctx.focusId(first ? `${base(l)}-${first}` : `${base(l)}-error`);
}

async function save(l, confirmLow) {
  const e = E[key(l)];
  if (!e || e.busy) return;
  const c = cur(l);
  e.formError = null;
  const { errors, body } = changes(l, e);
  e.errors = errors;
  if (Object.keys(errors).length) {
    e.low = null;
    ctx.render();
    ctx.announce(Object.values(errors)[0]());
    return focusFirstError(l);
  }
  if (!Object.keys(body).length) {
    delete E[key(l)];
    N.published = { kind: 'ok', text: () => t('console.edit.nothing', { title: l.title }) };
    ctx.render();
    return ctx.focusId('published-notice');
  }
  if (confirmLow) body.confirm_low_price = true;
  e.busy = true;
  ctx.render();
  let next;
  try {
    next = await api('PATCH', `/merchant/listings/${encodeURIComponent(l.id)}`, { body });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    e.busy = false;
    return editProblem(l, err, body);
  }
  delete E[key(l)];
  Object.assign(l, next); // the row shows the listing as the server has it now
  const text = () => t('console.edit.saved', { title: next.title, price: money(next.price, next.currency || c) });
  N.published = { kind: 'ok', text };
  ctx.onChanged('published', l); // a reload under way (after a withdrawal) read the listing as it was
  ctx.render();
  ctx.announce(text());
  ctx.focusId('published-notice');
}

// The words for a field the server refused: its own on English pages ("Title must not contain
// control characters"), the page's words for the field on others.
function fieldWords(l, f, message) {
  const c = cur(l);
  const label = { price: 'console.field.price.word', title: 'console.field.title', public_note: 'console.field.public_note' }[f];
  if (lang() === 'en' && message && f !== 'photo_order') return () => `${t(label)} ${message}.`;
  return {
    price: () => t('console.err.price', { min: money(1, c) }),
    title: () => t('console.err.title', { max: TITLE_MAX }),
    public_note: () => t('console.err.public_note', { max: NOTE_MAX }),
    photo_order: () => t('console.err.photo_order'),
  }[f];
}

// A listing that changed under the merchant: what it is now, in words, when the server said.
function conflictWords(err) {
  const now = err.problem.listing_status;
  return now ? () => t('console.err.edit.conflict', { status: word('listing', now) }) : () => t('console.err.gone');
}

async function editProblem(l, err, body) {
  const e = E[key(l)];
  const c = cur(l);
  if (ctx.sessionProblem(err)) return;
  if (err.status === 422) {
    const fe = err.fieldErrors;
    const low = fe.find((x) => x.field === 'price' && /confirm_low_price/.test(x.message || ''));
    if (low && !body.confirm_low_price) {
      // The second step: the same change again, this time with the merchant's word for the price.
      // (The server checks the price only once every field is valid, so this error comes alone.)
      const percent = Number(/(\d+)%/.exec(low.message)?.[1]) || 30;
      e.low = { price: body.price, percent };
      ctx.render();
      ctx.announce(t('console.low.ask', { percent, original: money(l.original_price, c), price: money(body.price, c) }));
      return ctx.focusId(`${base(l)}-low-yes`);
    }
    e.low = null;
    for (const x of fe) if (FIELDS.includes(x.field)) e.errors[x.field] = fieldWords(l, x.field, x.message);
    if (!FIELDS.some((f) => e.errors[f])) e.formError = () => err.problem.detail || err.problem.title || t('err.check');
  } else if (err.status === 409 || err.status === 404) {
    return changedMeanwhile(l, 'published', err);
  } else {
    e.low = null;
    e.formError = () => generalError(err);
  }
  ctx.render();
  const text = e.formError?.() || FIELDS.map((f) => e.errors[f]?.()).find(Boolean);
  if (text) ctx.announce(`${l.title}: ${text}`);
  focusFirstError(l);
}

// Sold, withdrawn, rejected or gone meanwhile (another tab, the shop system): the tab says so
// and shows its list as it is now.
function changedMeanwhile(l, tab, err) {
  delete E[key(l)];
  delete A[key(l)];
  const what = conflictWords(err);
  N[tab] = { kind: 'error', text: () => `${l.title}: ${what()}` };
  ctx.onChanged(tab, l);
  ctx.render();
  ctx.announce(N[tab].text());
  ctx.focusId(`${tab}-notice`);
}

// ---------------------------------------------------------------- withdraw, restore

function askWithdraw(l, on) {
  const k = key(l);
  A[k] = { confirming: on, busy: false, error: null };
  delete E[k];
  N.published = null;
  ctx.render();
  ctx.focusId(on ? `act-${k}-withdraw-no` : `act-${k}-withdraw`);
}

// POST …/{what} for the listing of a row; the listing leaves the tab's list when it worked.
async function statusChange(l, tab, what, done) {
  const k = key(l);
  const a = A[k] || (A[k] = {});
  if (a.busy) return;
  a.busy = true;
  a.error = null;
  ctx.render();
  try {
    await api('POST', `/merchant/listings/${encodeURIComponent(l.id)}/${what}`, { body: {} });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    a.busy = false;
    if (ctx.sessionProblem(err)) return;
    if (err.status === 409 || err.status === 404) return changedMeanwhile(l, tab, err);
    a.error = () => generalError(err);
    ctx.render();
    ctx.announce(`${l.title}: ${a.error()}`);
    return ctx.focusId(`act-${k}-error`);
  }
  delete A[k];
  delete E[k];
  N[tab] = { kind: 'ok', text: done };
  ctx.onChanged(tab, l);
  ctx.render();
  ctx.announce(done());
  ctx.focusId(`${tab}-notice`);
}

function withdraw(l) {
  return statusChange(l, 'published', 'withdraw', () => t('console.withdrawn', { title: l.title }));
}

function restore(l) {
  return statusChange(l, 'rejected', 'restore', () => t('console.restored', { title: l.title }));
}
