// Return tracking page: /r/{rma}?k={tracking_key}
// Shows the status with a step indicator, the items, the event timeline, the label while it is
// usable, the refund or credit once resolved, and lets the customer cancel before the parcel
// arrives (the tracking key is read-only, so cancel first re-proves the order with the email).
import { t, word, money, dateTime, day, onLangChange, mountLangToggle, translateStatic } from './i18n.js';
import { h, api, ApiError, customerError, focusHeading, field, emailInput, stepList } from './common.js';

const FLOW = ['label_issued', 'received', 'resolved'];

const S = {
  rma: rmaFromPath(),
  key: new URLSearchParams(location.search).get('k') || '',
  ret: null, // GET /returns/{rma}
  loadError: null, // () => text
  notFound: false,
  cancelOpen: false,
  email: '',
  cancelError: null, // () => text
  emailError: null, // () => text
  busy: false,
  notice: null, // {kind: 'ok'|'error', text: () => text}: outcome of the last cancel attempt
};

const app = document.getElementById('app');
const ui = {};

function rmaFromPath() {
  const m = location.pathname.match(/\/r\/([^/?#]+)/);
  return m ? decodeURIComponent(m[1]) : new URLSearchParams(location.search).get('rma') || '';
}

function announce(text) {
  const el = document.getElementById('announce');
  el.textContent = '';
  setTimeout(() => (el.textContent = text), 50);
}

// What the label is good for, as the API says (older answers: usable while label_issued).
function labelState(r) {
  return r.label_state || (r.status === 'label_issued' ? 'usable' : 'used');
}

function labelUrl(r) {
  return r.label_url || `/api/v1/returns/${encodeURIComponent(r.rma)}/label.pdf?k=${encodeURIComponent(S.key)}`;
}

// ---------------------------------------------------------------- rendering

function render() {
  const r = S.ret;
  const name = r?.merchant_name || '';
  document.getElementById('merchant-name').textContent = name || t('portal.title');
  document.title = r ? `${t('track.title', { rma: r.rma })} · ${word('status', r.status)}` : t('portal.title');
  let content;
  if (S.notFound) {
    content = [h('h2', { class: 'step-title' }, t('track.notfound.title')), h('p', {}, t('track.notfound.body'))];
  } else if (!r && S.loadError) {
    content = [
      h('h2', { class: 'step-title' }, t('portal.title')),
      h('p', { class: 'notice notice--error', role: 'alert' }, S.loadError()),
      h('button', { type: 'button', class: 'button button--primary', onclick: load }, t('track.refresh')),
    ];
  } else if (!r) {
    content = [h('p', { class: 'loading' }, t('app.loading'))];
  } else {
    content = viewReturn(r);
  }
  app.replaceChildren(...content.flat(Infinity).filter((c) => c != null && c !== false));
  app.setAttribute('aria-busy', String(!r && !S.notFound && !S.loadError));
}

function statusSteps(status) {
  if (status === 'canceled' || status === 'expired') {
    return stepList([word('status', 'label_issued'), word('status', status)], 1, { warnLast: true });
  }
  // A return held for the shop's review is still where inspection left it: received.
  const index = Math.max(0, FLOW.indexOf(status === 'needs_review' ? 'received' : status));
  return stepList(FLOW.map((s) => word('status', s)), index, { finished: status === 'resolved' });
}

function viewReturn(r) {
  const created = r.created_at ? t('track.created', { date: dateTime(r.created_at, r.merchant_timezone) }) : null;
  return [
    h('h2', { class: 'step-title', translate: 'no' }, t('track.title', { rma: r.rma })),
    h(
      'p',
      { class: 'meta' },
      r.order_number
        ? h('span', { class: 'meta-part' }, t('track.order', { merchant: r.merchant_name || r.merchant || '', number: r.order_number }))
        : null,
      ' ',
      created ? h('span', { class: 'meta-part' }, created) : null,
    ),
    h(
      'section',
      { class: `status-card status-card--${r.status}`, 'aria-labelledby': 'status-title' },
      h('h3', { class: 'visually-hidden', id: 'status-title' }, t('track.status')),
      statusSteps(r.status),
      h('p', { class: 'status-word', id: 'status' }, word('status', r.status)),
      h('p', { class: 'status-desc' }, t(`statusdesc.${r.status}`)),
      S.notice ? h('p', { class: `notice notice--${S.notice.kind}` }, S.notice.text()) : null,
      labelState(r) === 'usable'
        ? [
            r.ship_by ? h('p', { class: 'notice shipby', id: 'ship-by' }, t('done.shipby', { date: day(r.ship_by) })) : null,
            // The label's QR code itself, for drop-off at a counter without a printer.
            r.qr_url ? h('img', { class: 'qr', id: 'qr', src: r.qr_url, width: 200, height: 200, alt: t('done.qr.alt', { rma: r.rma }) }) : null,
            r.qr_url ? h('p', { class: 'hint' }, t('done.qr')) : null,
            h('a', { class: 'button button--primary', href: labelUrl(r), target: '_blank', rel: 'noopener', id: 'label-link' }, t('track.label')),
            h('p', { class: 'hint' }, t('track.label.hint')),
          ]
        : null,
      // A void label (canceled, expired) is not served: say why instead of offering it.
      labelState(r) === 'void'
        ? h('p', { class: 'notice notice--error', id: 'label-void', role: 'note' }, t(`track.label.void.${r.status}`))
        : null,
      refundBox(r),
    ),
    viewItems(r),
    viewTimeline(r),
    r.status === 'label_issued' ? viewCancel(r) : null,
  ];
}

// The money (and replacement) the customer gets, once the warehouse has resolved the return.
function refundBox(r) {
  const f = r.refund;
  const exchanges = r.exchanges || [];
  if (r.status !== 'resolved' || (!f && !exchanges.length)) return null;
  const cur = f?.currency || r.currency;
  const line = (cls, text, note) => [h('p', { class: `refund-line refund-line--${cls}` }, text), note ? h('p', { class: 'hint' }, note) : null];
  const parts = [];
  if (f?.refund) parts.push(line('refund', t('track.refund.refund', { amount: money(f.refund, cur) }), t('track.refund.note')));
  if (f?.restocking_fee) parts.push(line('fee', t('track.refund.fee', { amount: money(f.restocking_fee, cur) }), t('track.refund.fee.note')));
  if (f?.store_credit) {
    const bonus = f.store_credit_bonus ? ` (${t('track.refund.bonus', { amount: money(f.store_credit_bonus, cur) })})` : '';
    parts.push(line('credit', t('track.refund.store_credit', { amount: money(f.store_credit, cur) }) + bonus, t('track.refund.credit.note')));
  }
  for (const x of exchanges) {
    parts.push(line('exchange', t('track.exchange.item', { variant: x.variant || x.sku, n: x.quantity }), t('track.exchange.note')));
  }
  if (f?.refund && f?.store_credit) parts.push(line('total', t('track.refund.total', { amount: money(f.amount, cur) })));
  if (!parts.length) parts.push(line('none', t('track.refund.none')));
  return h(
    'div',
    { class: 'refund', id: 'refund', 'aria-labelledby': 'refund-title', role: 'group' },
    h('h4', { class: 'refund-title', id: 'refund-title' }, t('track.refund.heading')),
    parts,
  );
}

function itemResolution(item) {
  if (item.resolution === 'exchange') {
    return t('review.exchange', { variant: item.exchange_variant || item.exchange_sku || '' });
  }
  return word('resolution', item.resolution);
}

function viewItems(r) {
  return h(
    'section',
    { class: 'section', 'aria-labelledby': 'items-title' },
    h('h3', { class: 'section-title', id: 'items-title' }, t('track.items')),
    h(
      'ul',
      { class: 'cards' },
      (r.items || []).map((item) =>
        h(
          'li',
          {},
          h(
            'article',
            { class: 'card card--compact' },
            h('h4', { class: 'card-title' }, item.name || item.sku),
            item.variant ? h('p', { class: 'variant' }, item.variant) : null,
            h(
              'dl',
              { class: 'facts' },
              h('div', {}, h('dt', {}, t('review.qty')), h('dd', {}, item.quantity)),
              h('div', {}, h('dt', {}, t('review.reason')), h('dd', {}, word('reason', item.reason))),
              h('div', {}, h('dt', {}, t('review.resolution')), h('dd', {}, itemResolution(item))),
            ),
            item.status === 'inspected' && item.received_quantity != null
              ? h('p', { class: 'inspected-note' }, t('track.item.inspected'), ' · ',
                  t('track.received', { received: item.received_quantity, quantity: item.quantity }),
                  item.grade ? [' · ', t('track.grade', { grade: word('grade', item.grade) })] : null)
              : null,
          ),
        ),
      ),
    ),
  );
}

// Who did it, in the customer's words: the server writes customer, warehouse:<CODE>, kaeru.
function actorWord(actor) {
  return word('actor', String(actor).split(':')[0]);
}

// The known parts of an event's detail object, one line each.
function eventDetail(e, r) {
  const detail = e.detail;
  if (!detail || typeof detail !== 'object') return null;
  const cur = detail.currency || r.currency;
  const parts = [];
  if (e.type === 'received') {
    if (detail.warehouse_name) parts.push(t('detail.warehouse', { name: detail.warehouse_name }));
  } else if (e.type === 'inspected') {
    const head = [t('detail.inspected', { name: detail.name || detail.sku || '', received: detail.received_quantity ?? 0, quantity: detail.quantity ?? '' })];
    if (detail.grade) head.push(t('detail.grade', { grade: word('grade', detail.grade) }));
    parts.push(head.join(' · '));
  } else if (e.type === 'resolved') {
    if (detail.refund) parts.push(t('detail.refund', { amount: money(detail.refund, cur) }));
    if (detail.restocking_fee) parts.push(t('detail.fee', { amount: money(detail.restocking_fee, cur) }));
    if (detail.store_credit) {
      parts.push(detail.store_credit_bonus
        ? t('detail.credit.bonus', { amount: money(detail.store_credit, cur), bonus: money(detail.store_credit_bonus, cur) })
        : t('detail.credit', { amount: money(detail.store_credit, cur) }));
    }
    for (const x of Array.isArray(detail.exchanges) ? detail.exchanges : []) {
      parts.push(t('detail.exchange', { variant: x.variant || x.sku, n: x.quantity }));
    }
    if (detail.missing) parts.push(t('detail.missing', { n: detail.missing }));
  } else if (e.type === 'decided') {
    // What the shop decided for a held return, as the server computed it, and its note.
    if (Number.isInteger(detail.paid) && Number.isInteger(detail.owed)) {
      parts.push(t('detail.decided', { paid: money(detail.paid, cur), owed: money(detail.owed, cur) }));
    }
    if (typeof detail.note === 'string' && detail.note) parts.push(t('detail.note', { note: detail.note }));
  } else {
    if (Number.isInteger(detail.amount)) parts.push(t('detail.amount', { amount: money(detail.amount, cur) }));
    const method = detail.method || detail.resolution;
    if (typeof method === 'string') parts.push(word('resolution', method));
    if (typeof detail.grade === 'string') parts.push(t('detail.grade', { grade: word('grade', detail.grade) }));
    if (Number.isInteger(detail.items)) parts.push(t('detail.items', { n: detail.items }));
    const n = detail.received_quantity ?? detail.quantity;
    if (Number.isInteger(n)) parts.push(t('detail.quantity', { n }));
  }
  return parts.length ? h('div', { class: 'event-detail' }, parts.map((p) => h('p', {}, p))) : null;
}

function viewTimeline(r) {
  // Newest first; events of the same second (inspected, resolved) keep their recorded order reversed.
  const events = [...(r.events || [])].reverse().sort((a, b) => String(b.at).localeCompare(String(a.at)));
  return h(
    'section',
    { class: 'section', 'aria-labelledby': 'timeline-title' },
    h('h3', { class: 'section-title', id: 'timeline-title' }, t('track.timeline')),
    events.length
      ? h(
          'ol',
          { class: 'timeline', id: 'timeline' },
          events.map((e) =>
            h(
              'li',
              { class: `event event--${e.type}` },
              h('p', { class: 'event-title' }, word('event', e.type)),
              h(
                'p',
                { class: 'event-meta' },
                h('time', { datetime: e.at }, dateTime(e.at, r.merchant_timezone)),
                e.actor ? [' · ', actorWord(e.actor)] : null,
              ),
              eventDetail(e, r),
            ),
          ),
        )
      : h('p', {}, t('track.noevents')),
  );
}

function viewCancel(r) {
  ui.cancelError = h('div', { class: 'notice notice--error', role: 'alert', hidden: !S.cancelError });
  if (S.cancelError) ui.cancelError.textContent = S.cancelError();
  if (!S.cancelOpen) {
    return h(
      'section',
      { class: 'section cancel-area' },
      ui.cancelError,
      h('button', { type: 'button', class: 'button button--danger', id: 'cancel-open', onclick: openCancel }, t('cancel.button')),
    );
  }
  const email = field({
    id: 'cancel-email',
    label: t('cancel.email'),
    control: emailInput(S.email, (v) => (S.email = v)),
  });
  email.setError(S.emailError?.());
  ui.email = email;
  const submit = h('button', { type: 'submit', class: 'button button--danger' }, t('cancel.submit'));
  ui.cancelSubmit = submit;
  return h(
    'section',
    { class: 'section cancel-area', 'aria-labelledby': 'cancel-title' },
    h('h3', { class: 'section-title', id: 'cancel-title', tabindex: '-1' }, t('cancel.heading')),
    h('p', { class: 'lead' }, t('cancel.intro')),
    h(
      'form',
      { novalidate: true, class: 'stack', onsubmit: (e) => (e.preventDefault(), cancel(r)) },
      email.wrap,
      ui.cancelError,
      submit,
      h('button', { type: 'button', class: 'button button--secondary', onclick: closeCancel }, t('cancel.keep')),
    ),
  );
}

// ---------------------------------------------------------------- actions

function openCancel() {
  S.cancelOpen = true;
  S.notice = null;
  S.cancelError = null;
  render();
  ui.email.control.focus();
}

function closeCancel() {
  S.cancelOpen = false;
  S.cancelError = null;
  S.emailError = null;
  render();
  document.getElementById('cancel-open')?.focus();
}

function setCancelError(thunk) {
  S.cancelError = thunk;
  ui.cancelError.textContent = thunk ? thunk() : '';
  ui.cancelError.hidden = !thunk;
}

async function load() {
  if (!S.rma || !S.key) {
    S.notFound = true;
    return render();
  }
  try {
    S.ret = await api('GET', `/returns/${encodeURIComponent(S.rma)}?k=${encodeURIComponent(S.key)}`);
    S.loadError = null;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.status === 404 || err.status === 401 || err.status === 403) S.notFound = true;
    else S.loadError = () => customerError(err);
  }
  render();
}

async function cancel(r) {
  if (S.busy) return;
  setCancelError(null);
  const email = S.email.trim();
  S.emailError = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? null : () => t('lookup.err.email');
  ui.email.setError(S.emailError?.());
  if (S.emailError) return ui.email.control.focus();

  const button = ui.cancelSubmit;
  S.busy = true;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.textContent = t('cancel.busy');
  const fail = (thunk) => {
    S.busy = false;
    button.disabled = false;
    button.setAttribute('aria-busy', 'false');
    button.textContent = t('cancel.submit');
    setCancelError(thunk);
  };
  let token;
  try {
    const res = await api('POST', '/lookup', { body: { merchant: r.merchant, order_number: r.order_number, email } });
    token = res.token;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.status === 404 || err.status === 422) return fail(() => t('cancel.wrongemail'));
    return fail(() => customerError(err));
  }
  try {
    await api('POST', `/returns/${encodeURIComponent(r.rma)}/cancel`, { body: {}, token });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.status !== 409) return fail(() => customerError(err));
    // Already received (or otherwise moved on): say so and show the current state.
    S.busy = false;
    S.cancelOpen = false;
    S.notice = { kind: 'error', text: () => t('cancel.received') };
    await load();
    announce(t('cancel.received'));
    return focusHeading(document.getElementById('status'));
  }
  S.busy = false;
  S.cancelOpen = false;
  S.email = '';
  S.notice = { kind: 'ok', text: () => t('cancel.done') };
  await load();
  announce(t('cancel.done'));
  focusHeading(document.getElementById('status'));
}

// ---------------------------------------------------------------- start

mountLangToggle(document.getElementById('lang-toggle'));
translateStatic();
onLangChange(() => {
  if (!S.busy) render();
});
render();
load();
