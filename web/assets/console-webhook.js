// Merchant console, Webhook: where kaeru sends the shop's events (GET/PUT/DELETE
// /merchant/webhook), its signing secret shown once when set or rotated, and the latest
// deliveries with their status, attempts and last answer; one can be retried.
import { t, dateTime } from './i18n.js';
import { h, api, ApiError, generalError } from './common.js';

let ctx; // {render, sessionProblem, announce, focusId}

const W = {
  hook: null, // the webhook, or null when there is none
  loaded: false,
  url: '',
  events: '',
  secret: null, // shown once, after a set or a rotation
  deliveries: [],
  busy: false,
  errors: [], // [{field, message}]
  notice: null, // () => text
  error: null, // () => text
};

export function init(c) {
  ctx = c;
}

// Each load is numbered and only the latest one's answers are shown: a retry's reload that
// started before a removal must not bring the removed webhook back when it ends after it.
let loads = 0;

export async function loadWebhook() {
  const mine = ++loads;
  let hook = null;
  let deliveries = [];
  let error = W.error;
  try {
    hook = await api('GET', '/merchant/webhook');
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (ctx.sessionProblem(err)) return;
    if (err.status !== 404) error = () => generalError(err);
  }
  try {
    deliveries = (await api('GET', '/merchant/webhook/deliveries?limit=50')).items || [];
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (ctx.sessionProblem(err)) return;
  }
  if (mine !== loads) return;
  W.hook = hook;
  W.error = error;
  W.url = hook?.url || '';
  W.events = (hook?.events || []).join(', ');
  W.deliveries = deliveries;
  W.loaded = true;
  ctx.render();
}

async function save(rotate) {
  if (W.busy) return;
  W.busy = true;
  W.errors = [];
  W.notice = null;
  W.secret = null;
  ctx.render();
  const events = W.events.split(',').map((x) => x.trim()).filter(Boolean);
  const body = { url: W.url.trim(), ...(events.length ? { events } : {}), ...(rotate ? { rotate_secret: true } : {}) };
  try {
    const hook = await api('PUT', '/merchant/webhook', { body });
    W.hook = hook;
    W.secret = hook.secret || null;
    W.notice = () => t('console.webhook.saved');
    ctx.announce(t('console.webhook.saved'));
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (ctx.sessionProblem(err)) return;
    W.errors = err.status === 422 && err.fieldErrors.length ? err.fieldErrors : [{ field: '', message: generalError(err) }];
  }
  W.busy = false;
  await loadWebhook();
  ctx.focusId(W.errors.length ? 'webhook-errors' : 'webhook-notice');
}

async function remove() {
  if (W.busy) return;
  W.busy = true;
  try {
    await api('DELETE', '/merchant/webhook');
    W.secret = null;
    W.notice = () => t('console.webhook.removed');
    ctx.announce(t('console.webhook.removed'));
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (ctx.sessionProblem(err)) return;
    W.errors = [{ field: '', message: generalError(err) }];
  }
  W.busy = false;
  await loadWebhook();
}

async function retry(d) {
  try {
    await api('POST', `/merchant/webhook/deliveries/${encodeURIComponent(d.id)}/retry`, { body: {} });
    ctx.announce(t('console.webhook.retried'));
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (ctx.sessionProblem(err)) return;
    W.errors = [{ field: '', message: generalError(err) }];
  }
  await loadWebhook();
  ctx.focusId(`delivery-${d.id}`);
}

export function viewWebhook() {
  const head = [
    h('h2', { class: 'section-title', id: 'webhook-heading', tabindex: '-1' }, t('console.webhook.heading')),
    h('p', { class: 'hint' }, t('console.webhook.intro')),
  ];
  if (!W.loaded) return [head, h('p', { class: 'loading' }, t('app.loading'))];
  const urlErr = W.errors.filter((e) => e.field === 'url').map((e) => e.message).join(' ');
  return [
    head,
    W.error ? h('p', { class: 'notice notice--error', role: 'alert' }, W.error()) : null,
    W.errors.length
      ? h('div', { class: 'notice notice--error', id: 'webhook-errors', role: 'alert', tabindex: '-1' },
        h('ul', {}, W.errors.map((e) => h('li', {}, e.field ? `${e.field}: ${e.message}` : e.message))))
      : null,
    W.notice ? h('p', { class: 'notice notice--ok', id: 'webhook-notice', role: 'status', tabindex: '-1' }, W.notice()) : null,
    W.secret
      ? h('div', { class: 'notice', id: 'webhook-secret' },
        h('p', {}, t('console.webhook.secret')),
        h('p', {}, h('code', { translate: 'no' }, W.secret)))
      : null,
    h('p', { id: 'webhook-status' }, W.hook
      ? t(W.hook.status === 'paused' ? 'console.webhook.paused' : 'console.webhook.active')
      : t('console.webhook.none')),
    h(
      'form',
      { class: 'policy-form', id: 'webhook-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); save(false); } },
      h('div', { class: 'field' },
        h('label', { for: 'webhook-url' }, t('console.webhook.url')),
        h('input', { type: 'url', id: 'webhook-url', value: W.url, 'aria-invalid': urlErr ? 'true' : null,
          'aria-describedby': urlErr ? 'webhook-url-error' : null, oninput: (e) => (W.url = e.target.value) }),
        urlErr ? h('p', { class: 'field-error', id: 'webhook-url-error' }, urlErr) : null),
      h('div', { class: 'field' },
        h('label', { for: 'webhook-events' }, t('console.webhook.events')),
        h('input', { type: 'text', id: 'webhook-events', value: W.events, 'aria-describedby': 'webhook-events-hint',
          oninput: (e) => (W.events = e.target.value) }),
        h('p', { class: 'hint', id: 'webhook-events-hint' }, t('console.webhook.events.hint'))),
      h('p', { class: 'button-row' },
        h('button', { type: 'submit', class: 'button button--primary', id: 'webhook-save', disabled: W.busy }, t('console.webhook.save')),
        W.hook ? [' ', h('button', { type: 'button', class: 'button button--secondary', id: 'webhook-rotate', disabled: W.busy, onclick: () => save(true) }, t('console.webhook.rotate'))] : null,
        W.hook ? [' ', h('button', { type: 'button', class: 'button button--secondary', id: 'webhook-remove', disabled: W.busy, onclick: remove }, t('console.webhook.remove'))] : null),
    ),
    h('h3', { class: 'panel-subtitle', id: 'deliveries-title' }, t('console.webhook.deliveries')),
    W.deliveries.length === 0
      ? h('p', { class: 'empty', id: 'deliveries-empty' }, t('console.webhook.deliveries.none'))
      : h('div', { class: 'table-wrap' },
        h('table', { class: 'rows', id: 'deliveries-table', 'aria-labelledby': 'deliveries-title' },
          h('thead', {}, h('tr', {},
            [t('console.webhook.col.event'), t('console.webhook.col.status'), t('console.webhook.col.attempts'),
              t('console.webhook.col.answer'), t('console.webhook.col.next'), ''].map((x) => h('th', { scope: 'col' }, x)))),
          h('tbody', {}, W.deliveries.map((d) => h('tr', { id: `delivery-row-${d.id}` },
            h('td', { translate: 'no' }, d.type),
            h('td', {}, d.status),
            h('td', { class: 'num' }, String(d.attempts ?? 0)),
            h('td', { class: 'num' }, d.last_status_code == null ? '—' : String(d.last_status_code)),
            h('td', {}, d.next_attempt_at ? dateTime(d.next_attempt_at) : '—'),
            h('td', {}, h('button', { type: 'button', class: 'chip', id: `delivery-${d.id}`, onclick: () => retry(d),
              'aria-label': t('console.webhook.retry.one', { type: d.type }) }, t('console.webhook.retry')))))))),
  ];
}
