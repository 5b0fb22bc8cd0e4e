// Customer returns portal: /returns/{merchant}/, or /returns/{merchant}/#link=<token> from the
// shop's return link, which opens the order at once.
// Steps: lookup (order number + email) → items (what, why as chips, refund preselected, a summary
// and submit on the same step) → done (RMA, QR code, label, ship-by date, what happens next).
// All state lives in S; render() rebuilds the current step from it (on a step change and on a
// language switch); errors and busy states are updated in place so live regions announce them.
// Each step is a history entry (Back and Forward move between them) and S is kept in
// sessionStorage so a reload stays on the step. Kept there: the order token (one order, 24 h,
// and sessionStorage dies with the tab: without it a reload would ask for the e-mail again),
// the order's lines and the return made. Never the e-mail address.
import { t, word, money, date, day, lang, onLangChange, mountLangToggle, translateStatic } from './i18n.js';
import { h, api, ApiError, customerError, focusHeading, field, emailInput, stepList, newKey } from './common.js';

const STEPS = ['lookup', 'items', 'done'];
const STEP_WORDS = ['steps.order', 'steps.items', 'steps.done'];
const SAVED = ['step', 'token', 'order', 'policy', 'merchantName', 'sel', 'result', 'canceled'];

const S = {
  step: 'loading', // loading | unavailable | notfound | lookup | items | done
  slug: merchantSlug(),
  portal: null, // GET /portal/{merchant}
  form: { order_number: '', email: '' },
  lookupErrors: {}, // field → () => text
  token: null,
  order: null,
  policy: null,
  merchantName: '',
  sel: {}, // line_id → {checked, quantity, reason, comment, resolution, exchange_sku}
  itemErrors: {}, // `${line_id}.${field}` → () => text
  formError: null, // () => text, shown at the top of the current step
  pending: null, // {body, key, lineIds}: the last submission, reused on retry
  result: null, // 201 body of POST /returns
  canceled: false,
  busy: false,
};

const storeKey = () => `kaeru.portal.${S.slug}`;

// What a reload needs, in this tab's sessionStorage (see the top: no e-mail).
function save() {
  try {
    sessionStorage.setItem(storeKey(), JSON.stringify(Object.fromEntries(SAVED.map((k) => [k, S[k]]))));
  } catch {
    /* storage disabled: a reload starts over */
  }
}

function restore() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(storeKey()) || 'null');
    if (saved && typeof saved === 'object') for (const k of SAVED) if (k in saved) S[k] = saved[k];
    return !!saved;
  } catch {
    return false;
  }
}

// Whether the step can be shown with what S holds.
function stepReady(step) {
  if (step === 'items') return !!(S.order && S.token);
  if (step === 'done') return !!S.result;
  return step === 'lookup';
}

const app = document.getElementById('app');
const ui = {}; // references into the current step for in-place updates

function merchantSlug() {
  const m = location.pathname.match(/\/returns\/([^/]+)/);
  if (m) return decodeURIComponent(m[1]);
  return new URLSearchParams(location.search).get('merchant') || '';
}

function announce(text) {
  const el = document.getElementById('announce');
  el.textContent = '';
  setTimeout(() => (el.textContent = text), 50);
}

function currency() {
  return S.order?.currency || S.portal?.merchant?.currency;
}

function feePercent() {
  return Number(S.policy?.restocking_fee_percent || 0);
}

function bonusPercent() {
  return Number(S.policy?.store_credit_bonus_percent || 0);
}

// What store credit for qty units of the line pays, as the lookup quoted it (bonus included).
function creditAmount(line, qty) {
  return (line.store_credit_amounts || [])[qty - 1];
}

// Whether a refund for this reason keeps the restocking fee, as the policy says.
function feeApplies(reason) {
  return (S.policy?.fee_reasons || []).includes(reason);
}

function creditText(line, qty) {
  const amount = creditAmount(line, qty);
  return amount == null ? t('items.credit.bonus', { percent: bonusPercent() }) : t('items.credit', { amount: money(amount, currency()) });
}

// Shows step as a new history entry (replace: in place of the current one).
function goto(step, { replace = false } = {}) {
  S.step = step;
  S.formError = null;
  save();
  const url = location.pathname + location.search; // a link's token leaves the address bar
  if (replace) history.replaceState({ kaeru: step }, '', url);
  else history.pushState({ kaeru: step }, '', url);
  render();
  focusHeading(app.querySelector('h2'));
}

// Back and Forward: the step of the entry, when S can show it (else the lookup).
window.addEventListener('popstate', (e) => {
  const step = e.state?.kaeru;
  if (!step || S.busy) return;
  S.step = stepReady(step) ? step : 'lookup';
  S.formError = null;
  save();
  render();
  focusHeading(app.querySelector('h2'));
});

// ---------------------------------------------------------------- rendering

function render() {
  const name = S.merchantName || S.portal?.merchant?.name || '';
  document.getElementById('merchant-name').textContent = name || t('portal.title');
  document.title = name ? `${t('portal.title')} · ${name}` : t('portal.title');
  const index = STEPS.indexOf(S.step);
  document.getElementById('steps').replaceChildren(
    index >= 0 ? stepList(STEP_WORDS.map((k) => t(k)), index, { finished: S.step === 'done' }) : '',
  );
  const views = {
    loading: () => [h('p', { class: 'loading' }, t('app.loading'))],
    unavailable: viewUnavailable,
    notfound: viewNotFound,
    lookup: viewLookup,
    items: viewItems,
    done: viewDone,
  };
  app.replaceChildren(...views[S.step]().flat(Infinity).filter((c) => c != null && c !== false));
  app.setAttribute('aria-busy', String(S.step === 'loading'));
}

// A live error box at the top of a step; setFormError() fills it in place.
function formErrorBox() {
  ui.formError = h('div', { class: 'notice notice--error', role: 'alert', hidden: !S.formError });
  if (S.formError) ui.formError.textContent = S.formError();
  return ui.formError;
}

function setFormError(thunk) {
  S.formError = thunk;
  if (!ui.formError) return;
  ui.formError.textContent = thunk ? thunk() : '';
  ui.formError.hidden = !thunk;
}

function setBusy(button, busy, busyKey, idleKey) {
  S.busy = busy;
  button.disabled = busy;
  button.setAttribute('aria-busy', String(busy));
  button.textContent = t(busy ? busyKey : idleKey);
}

function viewNotFound() {
  return [h('h2', { class: 'step-title' }, t('portal.notfound.title')), h('p', {}, t('portal.notfound.body'))];
}

function viewUnavailable() {
  return [
    h('h2', { class: 'step-title' }, t('portal.title')),
    formErrorBox(),
    h('button', { type: 'button', class: 'button button--primary', onclick: loadPortal }, t('track.refresh')),
  ];
}

function viewLookup() {
  const orderField = field({
    id: 'order-number',
    label: t('lookup.order'),
    hint: t('lookup.order.hint'),
    control: h('input', {
      type: 'text',
      name: 'order_number',
      autocomplete: 'off',
      inputmode: 'text',
      autocapitalize: 'characters',
      spellcheck: 'false',
      required: true,
      maxlength: 64,
      value: S.form.order_number,
      oninput: (e) => (S.form.order_number = e.target.value),
    }),
  });
  const emailField = field({
    id: 'email',
    label: t('lookup.email'),
    hint: t('lookup.email.hint'),
    control: emailInput(S.form.email, (v) => (S.form.email = v)),
  });
  ui.lookupFields = { order_number: orderField, email: emailField };
  for (const [name, f] of Object.entries(ui.lookupFields)) f.setError(S.lookupErrors[name]?.());
  const button = h('button', { type: 'submit', class: 'button button--primary' }, t('lookup.submit'));
  const form = h(
    'form',
    { novalidate: true, class: 'stack', onsubmit: (e) => (e.preventDefault(), lookup(button)) },
    orderField.wrap,
    emailField.wrap,
    formErrorBox(),
    button,
  );
  const days = S.portal?.policy?.window_days;
  return [
    h('h2', { class: 'step-title' }, t('lookup.heading')),
    days ? h('p', { class: 'lead' }, t('portal.intro', { days })) : null,
    form,
  ];
}

function viewItems() {
  const lines = S.order.lines;
  const anyEligible = lines.some((l) => l.eligible);
  const fee = feePercent();
  ui.summary = h('div', { class: 'summary', id: 'summary', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'button button--primary', id: 'submit' }, t('review.submit'));
  button.addEventListener('click', () => submit(button));
  ui.submitButton = button;
  return [
    h('h2', { class: 'step-title' }, t('items.heading')),
    h(
      'p',
      { class: 'meta' },
      h('span', { class: 'meta-part' }, t('items.order', { number: S.order.order_number })),
      ' ',
      S.order.delivered_at
        ? h('span', { class: 'meta-part' }, t('items.delivered', { date: date(S.order.delivered_at, S.policy?.timezone) }))
        : h('span', { class: 'meta-part' }, t('items.notdelivered')),
    ),
    fee > 0 ? h('p', { class: 'notice' }, t('items.fee', { percent: fee })) : null,
    h('ul', { class: 'cards' }, lines.map((line, i) => h('li', {}, itemCard(line, i)))),
    anyEligible ? [ui.summary, formErrorBox(), button] : [h('p', { class: 'notice' }, t('items.noneeligible')), formErrorBox()],
    h('button', { type: 'button', class: 'button button--link', onclick: restart }, t('items.back')),
  ];
}

function ineligibleText(line) {
  const reason = line.ineligible_reason;
  if (reason === 'window_closed') return t('ineligible.window_closed', { days: S.policy?.window_days ?? 30 });
  if (['final_sale', 'already_returned', 'not_delivered'].includes(reason)) return t(`ineligible.${reason}`);
  return t('ineligible.unknown');
}

// Links to the returns that already hold units of the line: their tracking pages.
function heldBy(line) {
  const held = line.returns || [];
  if (!held.length) return null;
  return h(
    'ul',
    { class: 'held' },
    held.map((r) =>
      h('li', {}, h('a', { href: withLang(r.tracking_url), class: 'held-link' }, t('items.held', { rma: r.rma, status: word('status', r.status) }))),
    ),
  );
}

function cardHead(line, i, extra) {
  return h(
    'div',
    { class: 'card-head' },
    h('h3', { class: 'card-title', id: `line-${i}-name` }, line.name),
    line.variant ? h('p', { class: 'variant' }, line.variant) : null,
    h(
      'p',
      { class: 'price-row' },
      h('span', { class: 'price' }, money(line.unit_price, currency())),
      h('span', { class: 'qty' }, t('items.qty.ordered', { n: line.quantity })),
    ),
    line.eligible && line.returnable_until
      ? h('p', { class: 'until' }, t('items.until', { date: day(line.returnable_until) }))
      : null,
    extra,
    heldBy(line),
  );
}

// The selection of a line, made on first sight: refund preselected (the merchant's preferred
// resolution: kaeru's policy has no other yet), and the line ticked when it is the only one
// that can be returned.
function selectionOf(line) {
  return (S.sel[line.line_id] ??= {
    checked: S.order.lines.filter((l) => l.eligible).length === 1,
    quantity: 1,
    reason: '',
    comment: '',
    resolution: S.policy?.preferred_resolution || 'refund',
    exchange_sku: '',
  });
}

// One order line: a plain greyed card when not returnable, else the return choices.
function itemCard(line, i) {
  if (!line.eligible) {
    return h(
      'article',
      { class: 'card card--disabled', 'aria-labelledby': `line-${i}-name` },
      cardHead(line, i, h('p', { class: 'ineligible' }, ineligibleText(line))),
    );
  }
  const sel = selectionOf(line);
  const id = (name) => `line-${i}-${name}`;
  const errorOf = (name) => S.itemErrors[`${line.line_id}.${name}`]?.();
  const max = Math.max(1, line.returnable_quantity ?? line.quantity);
  const options = line.exchange_options || [];
  // Every other variant with its stock (older answers: the in-stock ones only).
  const variants = line.exchange_variants || options.map((o) => ({ ...o, in_stock: true }));

  const qty = field({
    id: id('qty'),
    label: t('items.qty'),
    control: h(
      'select',
      { name: id('qty') },
      Array.from({ length: max }, (_, n) => h('option', { value: n + 1, selected: sel.quantity === n + 1 }, n + 1)),
    ),
  });
  // The reason: one tap on a chip.
  const reasonError = h('p', { class: 'field-error', id: id('reason-error'), hidden: true });
  const reason = h(
    'fieldset',
    { class: 'chips', id: id('reason') },
    h('legend', {}, t('items.reason')),
    (S.policy?.reasons || []).map((r) =>
      h(
        'label',
        { class: 'chip' },
        h('input', { type: 'radio', name: id('reason'), value: r, checked: sel.reason === r }),
        h('span', {}, word('reason', r)),
      ),
    ),
    reasonError,
  );
  const feeNote = h('p', { class: 'note' }, t('items.fee.line', { percent: feePercent() }));
  const comment = field({
    id: id('comment'),
    label: t('items.comment'),
    hint: t('items.comment.hint'),
    control: h('textarea', { name: id('comment'), rows: 2, maxlength: 1000, value: sel.comment }),
  });
  const exchange = field({
    id: id('exchange'),
    label: t('items.exchange.variant'),
    className: 'field field--nested',
    control: h(
      'select',
      { name: id('exchange') },
      h('option', { value: '' }, t('items.exchange.choose')),
      variants.map((o) =>
        h(
          'option',
          { value: o.sku, selected: o.in_stock && sel.exchange_sku === o.sku, disabled: !o.in_stock },
          o.in_stock ? o.variant || o.sku : t('items.exchange.soldout', { variant: o.variant || o.sku }),
        ),
      ),
    ),
  });

  const refundText = h('span', {});
  const creditLabel = h('span', {});
  const radio = (value, ...label) =>
    h(
      'label',
      { class: 'choice' },
      h('input', { type: 'radio', name: id('resolution'), value, checked: sel.resolution === value }),
      h('span', { class: 'choice-text' }, ...label),
    );
  const resolutionError = h('p', { class: 'field-error', id: id('resolution-error'), hidden: true });
  const resolution = h(
    'fieldset',
    { class: 'choices', id: id('resolution') },
    h('legend', {}, t('items.resolution')),
    radio('refund', refundText),
    radio(
      'store_credit',
      creditLabel,
      bonusPercent() > 0 ? h('span', { class: 'badge' }, t('items.credit.bonus', { percent: bonusPercent() })) : null,
    ),
    variants.length ? radio('exchange', t('items.exchange')) : null,
    variants.length ? exchange.wrap : null,
    resolutionError,
  );

  const checkbox = h('input', { type: 'checkbox', id: id('return'), checked: sel.checked });
  const details = h(
    'div',
    { class: 'card-details', id: id('details') },
    max > 1 ? qty.wrap : null,
    reason,
    feeNote,
    resolution,
    comment.wrap,
  );
  checkbox.setAttribute('aria-controls', details.id);

  const lineError = h('p', { class: 'field-error', hidden: true });

  // Show what the current choices mean: amounts, fee note, exchange select, errors.
  const update = () => {
    details.hidden = !sel.checked;
    refundText.textContent = t('items.refund', { amount: money(line.unit_price * sel.quantity, currency()) });
    creditLabel.textContent = creditText(line, sel.quantity);
    feeNote.hidden = !feeApplies(sel.reason);
    exchange.wrap.hidden = sel.resolution !== 'exchange';
    qty.setError(errorOf('quantity'));
    reasonError.textContent = errorOf('reason') || '';
    reasonError.hidden = !errorOf('reason');
    comment.setError(errorOf('comment'));
    exchange.setError(errorOf('exchange_sku'));
    const resErr = errorOf('resolution') || (variants.length ? null : errorOf('exchange_sku'));
    resolutionError.textContent = resErr || '';
    resolutionError.hidden = !resErr;
    lineError.textContent = errorOf('line_id') || '';
    lineError.hidden = !errorOf('line_id');
    updateSummary();
  };
  const clearError = (name) => delete S.itemErrors[`${line.line_id}.${name}`];
  const changed = () => {
    save();
    update();
  };

  checkbox.addEventListener('change', () => {
    sel.checked = checkbox.checked;
    if (sel.checked) setFormError(null);
    changed();
  });
  qty.control.addEventListener('change', () => {
    sel.quantity = Number(qty.control.value);
    clearError('quantity');
    changed();
  });
  reason.addEventListener('change', (e) => {
    if (e.target.type !== 'radio') return;
    sel.reason = e.target.value;
    clearError('reason');
    changed();
  });
  comment.control.addEventListener('input', () => {
    sel.comment = comment.control.value;
    save();
  });
  resolution.addEventListener('change', (e) => {
    if (e.target.type !== 'radio') return;
    sel.resolution = e.target.value;
    clearError('resolution');
    changed();
  });
  exchange.control.addEventListener('change', () => {
    sel.exchange_sku = exchange.control.value;
    clearError('exchange_sku');
    changed();
  });
  queueMicrotask(update);

  return h(
    'article',
    { class: 'card', 'aria-labelledby': id('name') },
    cardHead(line, i),
    lineError,
    h(
      'div',
      { class: 'check' },
      checkbox,
      h('label', { for: checkbox.id }, t('items.return'), h('span', { class: 'visually-hidden' }, `: ${line.name}`)),
    ),
    details,
  );
}

function selectedLines() {
  return S.order.lines.filter((l) => l.eligible && S.sel[l.line_id]?.checked);
}

function resolutionText(line, sel) {
  const qty = sel.quantity;
  if (sel.resolution === 'refund') return t('items.refund', { amount: money(line.unit_price * qty, currency()) });
  if (sel.resolution === 'store_credit') return creditText(line, qty);
  const opt = (line.exchange_options || []).find((o) => o.sku === sel.exchange_sku);
  return t('review.exchange', { variant: opt?.variant || sel.exchange_sku || '…' });
}

// The review, on the items step above the submit button: what is chosen and what it gives.
function updateSummary() {
  if (!ui.summary || S.step !== 'items') return;
  const chosen = selectedLines();
  ui.summary.replaceChildren(
    h('h3', { class: 'section-title' }, t('review.heading')),
    chosen.length
      ? h(
          'ul',
          { class: 'summary-list' },
          chosen.map((line) => {
            const sel = S.sel[line.line_id];
            const fee = feeApplies(sel.reason) && sel.resolution !== 'exchange';
            return h(
              'li',
              {},
              h('span', { class: 'summary-name' }, `${sel.quantity} × ${line.name}`),
              ' · ',
              h('span', {}, sel.reason ? word('reason', sel.reason) : t('items.reason.choose')),
              ' · ',
              h('span', {}, resolutionText(line, sel)),
              fee ? h('span', { class: 'note' }, ` ${t('review.fee', { percent: feePercent() })}`) : null,
            );
          }),
        )
      : h('p', { class: 'hint' }, t('items.none')),
  );
}

function withLang(href) {
  const url = new URL(href, location.href);
  url.searchParams.set('lang', lang());
  return url.origin === location.origin ? url.pathname + url.search + url.hash : url.href;
}

function viewDone() {
  const r = S.result;
  if (S.canceled) {
    return [
      h('h2', { class: 'step-title' }, t('status.canceled')),
      h('p', { class: 'notice notice--ok' }, t('done.canceled', { rma: r.rma })),
      h('button', { type: 'button', class: 'button button--primary', onclick: () => (S.token && S.order ? goto('items') : restart()) }, t('done.again')),
    ];
  }
  // The tracking page opens in the language the customer used here.
  const trackUrl = r.tracking_url ? withLang(r.tracking_url) : null;
  const cancelButton = h('button', { type: 'button', class: 'button button--danger' }, t('done.cancel'));
  const yes = h('button', { type: 'button', class: 'button button--danger' }, t('done.cancel.yes'));
  const no = h('button', { type: 'button', class: 'button button--secondary' }, t('done.cancel.no'));
  const confirmBox = h(
    'div',
    { class: 'confirm', hidden: true, role: 'group', 'aria-labelledby': 'cancel-q' },
    h('p', { id: 'cancel-q' }, t('done.cancel.confirm', { rma: r.rma })),
    yes,
    no,
  );
  cancelButton.addEventListener('click', () => {
    confirmBox.hidden = false;
    cancelButton.hidden = true;
    yes.focus();
  });
  no.addEventListener('click', () => {
    confirmBox.hidden = true;
    cancelButton.hidden = false;
    setFormError(null);
    cancelButton.focus();
  });
  yes.addEventListener('click', () => cancelReturn(yes));

  const copy =
    navigator.clipboard && trackUrl
      ? h('button', {
          type: 'button',
          class: 'button button--link',
          onclick: async () => {
            try {
              await navigator.clipboard.writeText(new URL(trackUrl, location.href).href);
              announce(t('done.copied'));
            } catch {
              /* clipboard refused; the link is still on the page */
            }
          },
        }, t('done.copy'))
      : null;

  return [
    h('h2', { class: 'step-title' }, t('done.heading')),
    h(
      'div',
      { class: 'rma-box' },
      h('p', { class: 'rma-label', id: 'rma-label' }, t('done.rma')),
      h('p', { class: 'rma', 'aria-describedby': 'rma-label', translate: 'no' }, r.rma),
      // The label's QR code itself: a drop-off counter scans it off the phone, no printer.
      r.qr_url ? h('img', { class: 'qr', id: 'qr', src: r.qr_url, width: 200, height: 200, alt: t('done.qr.alt', { rma: r.rma }) }) : null,
      r.qr_url ? h('p', { class: 'hint' }, t('done.qr')) : null,
    ),
    r.ship_by ? h('p', { class: 'notice shipby', id: 'ship-by' }, t('done.shipby', { date: day(r.ship_by) })) : null,
    h('a', { class: 'button button--primary', href: r.label_url, target: '_blank', rel: 'noopener', id: 'label-link', download: `return-${r.rma}.pdf` }, t('done.label')),
    trackUrl ? h('a', { class: 'button button--secondary', href: trackUrl, id: 'track-link' }, t('done.track')) : null,
    copy,
    h('h3', { class: 'section-title' }, t('done.howto')),
    h('ol', { class: 'howto' }, ['done.step1', 'done.step2', 'done.step3', 'done.step4', 'done.step5'].map((k) => h('li', {}, t(k)))),
    h('div', { class: 'cancel-area' }, formErrorBox(), cancelButton, confirmBox),
  ];
}

// ---------------------------------------------------------------- actions

// The return link's token, from the address's fragment (#link=…), which no server sees.
function linkInAddress() {
  const m = /(?:^#|&)link=([^&]+)/.exec(location.hash);
  return m ? decodeURIComponent(m[1]) : null;
}

// Opening the page: a reload (or Back into it) returns to its step; a return link opens its
// order; else the lookup.
async function start() {
  if (!S.slug) {
    S.step = 'notfound';
    return render();
  }
  const link = linkInAddress();
  const entry = history.state?.kaeru;
  if (!link && entry && restore() && stepReady(entry)) {
    S.step = entry;
    render();
    focusHeading(app.querySelector('h2'));
    return;
  }
  if (link) return openLink(link);
  return loadPortal();
}

async function openLink(link) {
  try {
    const res = await api('POST', '/lookup', { body: { merchant: S.slug, link } });
    found(res);
    goto('items', { replace: true });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    history.replaceState(null, '', location.pathname + location.search);
    await loadPortal();
    if (S.step !== 'lookup') return;
    if (err.status === 410) setFormError(() => t('link.expired'));
    else if (err.status === 404) setFormError(() => t('link.invalid'));
    else setFormError(() => customerError(err));
  }
}

async function loadPortal() {
  try {
    S.portal = await api('GET', `/portal/${encodeURIComponent(S.slug)}`);
    S.merchantName = S.portal.merchant?.name || S.merchantName;
    S.step = 'lookup';
    history.replaceState({ kaeru: 'lookup' }, '', location.pathname + location.search);
    render();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.status === 404) {
      S.step = 'notfound';
      render();
    } else {
      goto('unavailable');
      setFormError(() => customerError(err));
    }
  }
}

function validateLookup() {
  const errs = {};
  if (!S.form.order_number.trim()) errs.order_number = () => t('lookup.err.order_number');
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(S.form.email.trim())) errs.email = () => t('lookup.err.email');
  return errs;
}

function showLookupErrors(errs) {
  S.lookupErrors = errs;
  for (const [name, f] of Object.entries(ui.lookupFields)) f.setError(errs[name]?.());
  const first = ['order_number', 'email'].find((n) => errs[n]);
  if (first) {
    setFormError(() => t('err.summary'));
    ui.lookupFields[first].control.focus();
  }
}

async function lookup(button) {
  if (S.busy) return;
  setFormError(null);
  const errs = validateLookup();
  showLookupErrors(errs);
  if (Object.keys(errs).length) return;
  setBusy(button, true, 'lookup.busy', 'lookup.submit');
  try {
    const res = await api('POST', '/lookup', {
      body: { merchant: S.slug, order_number: S.form.order_number.trim(), email: S.form.email.trim() },
    });
    found(res);
    S.busy = false;
    goto('items');
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    setBusy(button, false, 'lookup.busy', 'lookup.submit');
    if (err.status === 422 && err.fieldErrors.length) {
      const errs2 = {};
      for (const e of err.fieldErrors) {
        if (e.field === 'order_number' || e.field === 'email') errs2[e.field] = () => t(`lookup.err.${e.field}`);
      }
      showLookupErrors(errs2);
      if (!Object.keys(errs2).length) setFormError(() => customerError(err));
    } else if (err.status === 404) {
      setFormError(() => t('lookup.notfound'));
    } else {
      setFormError(() => customerError(err));
    }
  }
}

// A lookup's answer (by number and e-mail, or by link) into S: a fresh start on this order.
function found(res) {
  S.token = res.token;
  S.order = res.order;
  S.policy = res.policy || S.portal?.policy;
  S.merchantName = res.merchant?.name || S.merchantName;
  S.sel = {};
  S.itemErrors = {};
  S.pending = null;
  S.result = null;
  S.canceled = false;
}

function restart() {
  S.token = null;
  S.order = null;
  S.result = null;
  S.canceled = false;
  S.lookupErrors = {};
  if (!S.portal) loadPortal();
  goto('lookup');
}

// The choices' own faults, found before anything is sent; true when there are none.
function checkChoices() {
  S.itemErrors = {};
  const chosen = selectedLines();
  if (!chosen.length) {
    setFormError(() => t('items.none'));
    focusHeading(ui.formError);
    return false;
  }
  for (const line of chosen) {
    const sel = S.sel[line.line_id];
    if (!sel.reason) S.itemErrors[`${line.line_id}.reason`] = () => t('items.err.reason');
    if (sel.resolution === 'exchange' && !sel.exchange_sku) {
      S.itemErrors[`${line.line_id}.exchange_sku`] = () => t('items.err.exchange_sku');
    }
  }
  if (Object.keys(S.itemErrors).length) {
    showItemErrors();
    return false;
  }
  return true;
}

// After a cancel: the canceled return's units can be returned again.
function unmarkReturned(result) {
  for (const item of result.items || []) {
    const line = S.order?.lines.find((l) => l.line_id === item.line_id);
    if (!line) continue;
    line.returnable_quantity = (line.returnable_quantity ?? 0) + item.quantity;
    if (line.ineligible_reason === 'already_returned') {
      line.eligible = true;
      line.ineligible_reason = null;
    }
    line.returns = (line.returns || []).filter((r) => r.rma !== result.rma);
  }
}

// After a return is made: its lines as the server now counts them (fewer units left, the return
// holding them), so Back to the items shows no stale choice.
function markReturned(result) {
  for (const item of result.items || []) {
    const line = S.order.lines.find((l) => l.line_id === item.line_id);
    if (!line) continue;
    line.returnable_quantity = Math.max(0, (line.returnable_quantity ?? line.quantity) - item.quantity);
    if (line.returnable_quantity === 0) {
      line.eligible = false;
      line.ineligible_reason = 'already_returned';
    }
    line.returns = [...(line.returns || []), { rma: result.rma, status: result.status, tracking_url: result.tracking_url }];
    delete S.sel[line.line_id];
  }
}

// Back on the items step with S.itemErrors shown beside their inputs; focus the first one.
function showItemErrors() {
  if (S.step !== 'items') S.step = 'items';
  render();
  S.formError = () => t('err.summary');
  setFormError(S.formError);
  const first = app.querySelector('[aria-invalid="true"], .card .field-error:not([hidden])');
  const target = first?.matches('.field-error')
    ? first.closest('fieldset, .card')?.querySelector('input:checked, input, select')
    : first;
  (target || ui.formError).focus();
}

function submissionBody() {
  const lines = selectedLines();
  const items = lines.map((line) => {
    const sel = S.sel[line.line_id];
    const item = { line_id: line.line_id, quantity: sel.quantity, reason: sel.reason, resolution: sel.resolution };
    if (sel.comment.trim()) item.comment = sel.comment.trim();
    if (sel.resolution === 'exchange') item.exchange_sku = sel.exchange_sku;
    return item;
  });
  // The language the customer reads: kaeru's e-mails about this return use it.
  return { body: JSON.stringify({ items, language: lang() }), lineIds: lines.map((l) => l.line_id) };
}

// "items[0].reason" → itemErrors[`${line_id}.reason`]; true when it named an item field.
function mapItemError(e, lineIds) {
  const m = /^items\[(\d+)\](?:\.(\w+))?$/.exec(e.field || '');
  if (!m || lineIds[Number(m[1])] === undefined) return false;
  const name = m[2] || 'line_id';
  const key = `items.err.${name}`;
  const serverText = e.message;
  S.itemErrors[`${lineIds[Number(m[1])]}.${name}`] = () =>
    lang() === 'en' && serverText && name !== 'reason' ? serverText : t(key) === key ? t('err.check') : t(key);
  return true;
}

async function submit(button) {
  if (S.busy) return;
  setFormError(null);
  if (!checkChoices()) return;
  const { body, lineIds } = submissionBody();
  // Same body as an attempt that got no answer: same Idempotency-Key, so no duplicate return.
  if (!S.pending || S.pending.body !== body) S.pending = { body, key: newKey(), lineIds };
  setBusy(button, true, 'review.busy', 'review.submit');
  try {
    S.result = await api('POST', '/returns', {
      body,
      token: S.token,
      headers: { 'Idempotency-Key': S.pending.key },
    });
    S.pending = null;
    S.busy = false;
    S.canceled = false;
    markReturned(S.result);
    goto('done');
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    setBusy(button, false, 'review.busy', 'review.submit');
    if (err.status === 0 || err.status >= 500) {
      setFormError(() => `${customerError(err)} ${t('review.retry')}`);
      return;
    }
    S.pending = null; // a definite answer: the next attempt is a new one
    if (err.status === 401) {
      S.lookupErrors = {};
      goto('lookup');
      setFormError(() => t('err.session'));
      return;
    }
    if (err.status === 422) {
      S.itemErrors = {};
      const other = err.fieldErrors.filter((e) => !mapItemError(e, lineIds));
      if (err.fieldErrors.length && !other.length) return showItemErrors();
    }
    setFormError(() => customerError(err));
  }
}

async function cancelReturn(button) {
  if (S.busy) return;
  setFormError(null);
  setBusy(button, true, 'cancel.busy', 'done.cancel.yes');
  try {
    await api('POST', `/returns/${encodeURIComponent(S.result.rma)}/cancel`, { body: {}, token: S.token });
    S.busy = false;
    S.canceled = true;
    unmarkReturned(S.result);
    goto('done', { replace: true });
    announce(t('done.canceled', { rma: S.result.rma }));
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    setBusy(button, false, 'cancel.busy', 'done.cancel.yes');
    if (err.status === 409) setFormError(() => t('cancel.received'));
    else if (err.status === 401) setFormError(() => t('err.session'));
    else setFormError(() => customerError(err));
  }
}

// ---------------------------------------------------------------- start

mountLangToggle(document.getElementById('lang-toggle'));
translateStatic();
onLangChange(() => {
  if (!S.busy) render();
});
render();
start();
