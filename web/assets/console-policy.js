// Merchant console, the merchant's own rules: the return policy editor (GET/PUT /merchant/policy)
// and the decision on a return held for review (POST /merchant/returns/{rma}/decision).
// console.js owns the page and passes what these need in init(); the figures shown come from the
// API as they are — the page never computes money, it only converts what the merchant types.
import { t, word, money } from './i18n.js';
import { h, api, ApiError, generalError } from './common.js';

const REASONS = ['too_small', 'too_large', 'not_as_described', 'damaged', 'defective', 'wrong_item',
  'changed_mind', 'arrived_late', 'other'];
const GRADES = ['new', 'like_new', 'good', 'fair'];
const NOTE_MAX = 2000;

let ctx; // {readOnly, render, sessionProblem, announce, focusId, priceInput, parsePrice, onDecided}

const P = {
  data: null, // the policy as the server has it
  form: null, // what the form shows (strings for the inputs)
  loading: false,
  error: null, // () => text: the policy could not be loaded
  saving: false,
  errors: [], // [{field, message}] from the last PUT
  notice: null, // () => text
  edits: 0, // changes the owner made to the form: a load answered after one keeps the form
};

const D = {}; // rma → {how, percent, amount, note, busy, errors, notice}

export function init(c) {
  ctx = c;
}

// ---------------------------------------------------------------- the policy

function formOf(p) {
  const cur = p.currency;
  return {
    window_days: String(p.window_days),
    label_validity_days: String(p.label_validity_days),
    restocking_fee_percent: String(p.restocking_fee_percent),
    store_credit_bonus_percent: String(p.store_credit_bonus_percent),
    price_floor_percent: String(p.price_floor_percent),
    price_step: ctx.priceInput(p.price_step, cur),
    reasons: new Set(p.reasons),
    fee_reasons: new Set(p.fee_reasons),
    resale_percent: Object.fromEntries(GRADES.map((g) => [g, String(p.resale_percent?.[g] ?? '')])),
    timezone: p.timezone || '',
    checkout_url: p.checkout_url || '',
    review_damaged: !!p.review_rules?.damaged,
    review_short_receipt: !!p.review_rules?.short_receipt,
    review_defective_new: !!p.review_rules?.defective_new,
    review_amount_over: p.review_rules?.amount_over == null ? '' : ctx.priceInput(p.review_rules.amount_over, cur),
  };
}

// Loads are numbered and a save ends those under way: a load started before a save (the tab
// opened again) and answered after it would put the old policy back in the form. A load answered
// after the owner began to change the form keeps what they typed.
let loads = 0;

export async function loadPolicy() {
  const mine = ++loads;
  const edits = P.edits;
  P.loading = true;
  try {
    const data = await api('GET', '/merchant/policy');
    if (mine !== loads) return;
    P.data = data;
    if (!P.form || P.edits === edits) P.form = formOf(P.data);
    P.error = null;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (mine !== loads) return;
    if (ctx.sessionProblem(err)) return;
    P.error = () => generalError(err);
  }
  P.loading = false;
  ctx.render();
}

export function policyLoaded() {
  return !!P.data || P.loading;
}

// A whole number the merchant typed, or the text itself (the server names it when it is not).
function wholeOr(text) {
  const s = String(text).normalize('NFKC').trim();
  return /^-?\d+$/.test(s) ? Number(s) : s;
}

function bodyOf(f) {
  const cur = P.data.currency;
  const price = (text) => {
    const n = ctx.parsePrice(text, cur);
    return Number.isNaN(n) ? String(text) : n;
  };
  return {
    window_days: wholeOr(f.window_days),
    label_validity_days: wholeOr(f.label_validity_days),
    restocking_fee_percent: wholeOr(f.restocking_fee_percent),
    store_credit_bonus_percent: wholeOr(f.store_credit_bonus_percent),
    price_floor_percent: wholeOr(f.price_floor_percent),
    price_step: price(f.price_step),
    reasons: REASONS.filter((r) => f.reasons.has(r)),
    fee_reasons: REASONS.filter((r) => f.fee_reasons.has(r)),
    resale_percent: Object.fromEntries(GRADES.map((g) => [g, wholeOr(f.resale_percent[g])])),
    timezone: f.timezone.trim(),
    checkout_url: f.checkout_url.trim() || null,
    review_rules: {
      damaged: f.review_damaged,
      short_receipt: f.review_short_receipt,
      defective_new: f.review_defective_new,
      amount_over: f.review_amount_over.trim() === '' ? null : price(f.review_amount_over),
    },
  };
}

// The input of a field the server names ("resale_percent.new", "reasons[2]", "review_rules.damaged").
function inputIdOf(field) {
  const f = String(field).replace(/\[\d+\]$/, '');
  return `policy-${f.replace(/[._]/g, '-')}`;
}

async function savePolicy(e) {
  e.preventDefault();
  if (P.saving || !P.form) return;
  loads++;
  P.loading = false;
  P.saving = true;
  P.errors = [];
  P.notice = null;
  ctx.render();
  try {
    P.data = await api('PUT', '/merchant/policy', { body: bodyOf(P.form) });
    P.form = formOf(P.data);
    P.notice = () => t('console.policy.saved');
    P.saving = false;
    ctx.render();
    ctx.announce(t('console.policy.saved'));
    return ctx.focusId('policy-notice');
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    P.saving = false;
    if (ctx.sessionProblem(err)) return;
    P.errors = err.status === 422 && err.fieldErrors.length ? err.fieldErrors
      : [{ field: '', message: generalError(err) }];
    ctx.render();
    ctx.focusId('policy-errors');
  }
}

function errorFor(id) {
  return P.errors.filter((x) => x.field && inputIdOf(x.field) === id);
}

// A labelled input with its error messages tied to it.
function input(id, label, value, onInput, { type = 'text', inputmode, hint, size, list } = {}) {
  const errs = errorFor(id);
  const described = [hint ? `${id}-hint` : null, errs.length ? `${id}-error` : null].filter(Boolean).join(' ') || null;
  return h(
    'div',
    { class: `field${errs.length ? ' field--error' : ''}` },
    h('label', { for: id }, label),
    h('input', {
      id, name: id, type, inputmode, size, list, value, autocomplete: 'off', spellcheck: 'false',
      'aria-invalid': errs.length ? 'true' : null, 'aria-describedby': described,
      oninput: (e) => { P.edits++; onInput(e.target.value); },
    }),
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
    errs.length ? h('p', { class: 'field-error', id: `${id}-error` }, errs.map((x) => x.message).join(' ')) : null,
  );
}

function reasonBoxes(key, legend) {
  const id = inputIdOf(key);
  const errs = errorFor(id);
  return h(
    'fieldset',
    { class: `field policy-checks${errs.length ? ' field--error' : ''}`, id, 'aria-describedby': errs.length ? `${id}-error` : null },
    h('legend', {}, legend),
    REASONS.map((r) =>
      h('label', { class: 'policy-check' },
        h('input', {
          type: 'checkbox', name: key, value: r, id: `${id}-${r}`, checked: P.form[key].has(r),
          onchange: (e) => { P.edits++; e.target.checked ? P.form[key].add(r) : P.form[key].delete(r); },
        }),
        ' ', word('reason', r))),
    errs.length ? h('p', { class: 'field-error', id: `${id}-error` }, errs.map((x) => x.message).join(' ')) : null,
  );
}

function check(id, label, key) {
  return h('label', { class: 'policy-check' },
    h('input', { type: 'checkbox', id, name: id, checked: P.form[key], onchange: (e) => { P.edits++; P.form[key] = e.target.checked; } }),
    ' ', label);
}

function zones() {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['Asia/Tokyo', 'UTC', 'America/New_York', 'America/Los_Angeles', 'Europe/London'];
  }
}

export function viewPolicy() {
  const head = [
    h('h2', { class: 'section-title', id: 'policy-heading', tabindex: '-1' }, t('console.policy.heading')),
    h('p', { class: 'hint' }, t('console.policy.intro')),
  ];
  if (P.error && !P.data) {
    return [head, h('p', { class: 'notice notice--error', role: 'alert' }, P.error()),
      h('button', { type: 'button', class: 'button button--secondary', onclick: loadPolicy }, t('console.retry'))];
  }
  if (!P.form) return [head, h('p', { class: 'loading' }, t('app.loading'))];
  const f = P.form;
  const cur = P.data.currency;
  const set = (key) => (v) => (f[key] = v);
  return [
    head,
    P.errors.length
      ? h('div', { class: 'notice notice--error', id: 'policy-errors', role: 'alert', tabindex: '-1' },
        h('p', {}, t('console.policy.errors')),
        h('ul', {}, P.errors.map((x) => h('li', {}, x.field
          ? h('a', { href: `#${inputIdOf(x.field)}` }, `${x.field}: ${x.message}`) : x.message))))
      : null,
    P.notice ? h('p', { class: 'notice notice--ok', id: 'policy-notice', role: 'status', tabindex: '-1' }, P.notice()) : null,
    ctx.readOnly() ? h('p', { class: 'notice', id: 'policy-readonly' }, t('console.policy.readonly')) : null,
    lockedIf(ctx.readOnly(), h(
      'form',
      { class: 'policy-form', id: 'policy-form', novalidate: true, onsubmit: savePolicy },
      h('div', { class: 'field-row' },
        input('policy-window-days', t('console.policy.window'), f.window_days, set('window_days'), { inputmode: 'numeric', size: 5 }),
        input('policy-label-validity-days', t('console.policy.label_validity'), f.label_validity_days, set('label_validity_days'), { inputmode: 'numeric', size: 5 })),
      reasonBoxes('reasons', t('console.policy.reasons')),
      h('div', { class: 'field-row' },
        input('policy-restocking-fee-percent', t('console.policy.fee'), f.restocking_fee_percent, set('restocking_fee_percent'), { inputmode: 'numeric', size: 5 }),
        input('policy-store-credit-bonus-percent', t('console.policy.bonus'), f.store_credit_bonus_percent, set('store_credit_bonus_percent'), { inputmode: 'numeric', size: 5 })),
      reasonBoxes('fee_reasons', t('console.policy.fee_reasons')),
      h('fieldset', { class: 'field' },
        h('legend', {}, t('console.policy.resale')),
        h('div', { class: 'field-row' },
          GRADES.map((g) => input(`policy-resale-percent-${g.replace('_', '-')}`, word('grade', g), f.resale_percent[g],
            (v) => (f.resale_percent[g] = v), { inputmode: 'numeric', size: 5 })))),
      h('div', { class: 'field-row' },
        input('policy-price-step', t('console.policy.price_step', { currency: cur }), f.price_step, set('price_step'), { inputmode: 'decimal', size: 8 }),
        input('policy-price-floor-percent', t('console.policy.floor'), f.price_floor_percent, set('price_floor_percent'), { inputmode: 'numeric', size: 5 })),
      input('policy-timezone', t('console.policy.timezone'), f.timezone, set('timezone'), { list: 'policy-zones' }),
      h('datalist', { id: 'policy-zones' }, zones().map((z) => h('option', { value: z }))),
      input('policy-checkout-url', t('console.policy.checkout'), f.checkout_url, set('checkout_url'),
        { type: 'url', hint: t('console.policy.checkout.hint') }),
      h('fieldset', { class: 'field policy-checks', id: 'policy-review-rules' },
        h('legend', {}, t('console.policy.review')),
        check('policy-review-rules-damaged', t('console.policy.review.damaged'), 'review_damaged'),
        check('policy-review-rules-short-receipt', t('console.policy.review.short'), 'review_short_receipt'),
        check('policy-review-rules-defective-new', t('console.policy.review.defective_new'), 'review_defective_new'),
        input('policy-review-rules-amount-over', t('console.policy.review.amount', { currency: cur }), f.review_amount_over,
          set('review_amount_over'), { inputmode: 'decimal', size: 10 })),
      h('p', {}, h('button', { type: 'submit', class: 'button button--primary', id: 'policy-save', disabled: P.saving }, t('console.policy.save'))),
    )),
  ];
}

// A staff login reads the policy but cannot change it: every control disabled, no save button.
function lockedIf(readOnly, form) {
  if (!readOnly) return form;
  for (const el of form.querySelectorAll('input, select, textarea')) el.disabled = true;
  form.querySelector('#policy-save')?.parentElement.remove();
  return form;
}

// ---------------------------------------------------------------- a held return's decision

function draftOf(rma) {
  return D[rma] || (D[rma] = { how: 'full', percent: '', amount: '', note: '', busy: false, errors: [] });
}

// Sends the decision; the server answers with the resolved return (or names the bad field).
async function decide(r, e) {
  e.preventDefault();
  const d = draftOf(r.rma);
  if (d.busy) return;
  const body = { note: d.note.trim() || undefined };
  if (d.how === 'full') body.refund_percent = 100;
  else if (d.how === 'none') body.refund_percent = 0;
  else if (d.how === 'percent') body.refund_percent = wholeOr(d.percent);
  else {
    const n = ctx.parsePrice(d.amount, r.currency);
    body.amount = Number.isNaN(n) ? String(d.amount) : n;
  }
  d.busy = true;
  d.errors = [];
  ctx.render();
  try {
    const ret = await api('POST', `/merchant/returns/${encodeURIComponent(r.rma)}/decision`, { body });
    delete D[r.rma];
    ctx.onDecided(ret);
    ctx.announce(t('console.decide.done'));
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    d.busy = false;
    if (ctx.sessionProblem(err)) return;
    d.errors = err.status === 422 && err.fieldErrors.length ? err.fieldErrors : [{ field: '', message: generalError(err) }];
    ctx.render();
    ctx.focusId('decide-errors');
  }
}

export function decisionForm(r) {
  if (r.status !== 'needs_review') return null;
  const d = draftOf(r.rma);
  const radio = (how, label) =>
    h('label', { class: 'policy-check' },
      h('input', { type: 'radio', name: 'decide-how', id: `decide-how-${how}`, value: how, checked: d.how === how,
        onchange: () => { d.how = how; ctx.render(); } }),
      ' ', label);
  const held = (r.events || []).filter((e) => e.type === 'needs_review').pop();
  const rules = Array.isArray(held?.detail?.rules) ? held.detail.rules : [];
  return h(
    'form',
    { class: 'decide-form', id: 'decide-form', novalidate: true, 'aria-labelledby': 'decide-title', onsubmit: (e) => decide(r, e) },
    h('h3', { class: 'panel-subtitle', id: 'decide-title' }, t('console.decide.title')),
    rules.length ? h('p', { class: 'hint', id: 'decide-rules' }, t('detail.rules', { rules: rules.map((x) => word('review_rule', x)).join(', ') })) : null,
    d.errors.length
      ? h('div', { class: 'notice notice--error', id: 'decide-errors', role: 'alert', tabindex: '-1' },
        h('p', {}, t('console.decide.errors')), h('ul', {}, d.errors.map((x) => h('li', {}, x.message))))
      : null,
    h('fieldset', { class: 'field policy-checks' },
      h('legend', {}, t('console.decide.how')),
      radio('full', t('console.decide.full')),
      radio('percent', t('console.decide.percent')),
      radio('amount', t('console.decide.amount')),
      radio('none', t('console.decide.none'))),
    d.how === 'percent'
      ? h('div', { class: 'field' }, h('label', { for: 'decide-percent' }, t('console.decide.percent.label')),
        h('input', { id: 'decide-percent', type: 'text', inputmode: 'numeric', size: 5, value: d.percent, oninput: (e) => (d.percent = e.target.value) }))
      : null,
    d.how === 'amount'
      ? h('div', { class: 'field' }, h('label', { for: 'decide-amount' }, t('console.decide.amount.label', { currency: r.currency })),
        h('input', { id: 'decide-amount', type: 'text', inputmode: 'decimal', size: 10, value: d.amount, oninput: (e) => (d.amount = e.target.value) }))
      : null,
    h('div', { class: 'field' },
      h('label', { for: 'decide-note' }, t('console.decide.note')),
      h('textarea', { id: 'decide-note', rows: 3, maxlength: NOTE_MAX, 'aria-describedby': 'decide-note-hint', oninput: (e) => (d.note = e.target.value) }, d.note),
      h('p', { class: 'hint', id: 'decide-note-hint' }, t('console.decide.note.hint'))),
    h('button', { type: 'submit', class: 'button button--primary', id: 'decide-submit', disabled: d.busy }, t('console.decide.submit')),
  );
}

// The timeline's words for the events of holds and decisions.
export function holdDetail(e, cur) {
  const d = e.detail;
  if (!d || typeof d !== 'object') return null;
  if (e.type === 'needs_review' && Array.isArray(d.rules)) {
    return [t('detail.rules', { rules: d.rules.map((x) => word('review_rule', x)).join(', ') })];
  }
  if (e.type === 'decided') {
    const c = d.currency || cur;
    const parts = [t('detail.decided', { paid: money(d.paid ?? 0, c), owed: money(d.owed ?? 0, c) })];
    if (d.note) parts.push(t('detail.note', { note: d.note }));
    return parts;
  }
  return null;
}
