// Small helpers shared by the customer pages: building DOM, calling the API, showing errors.
import { t, lang } from './i18n.js';

// h('p', {class: 'x', onclick: fn}, 'text', child…) → element. Attributes that are null,
// undefined or false are left out; true sets an empty attribute; value/checked/selected
// are set as properties.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'value' || name === 'checked' || name === 'selected') {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

// An API failure: status 0 means the network failed before any answer.
export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem?.title || (status ? `HTTP ${status}` : 'network error'));
    this.status = status;
    this.problem = problem || {};
    this.retryAfter = retryAfter; // seconds, or null
  }

  // [{field, message}] from a problem+json body.
  get fieldErrors() {
    return Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }
}

function retryAfterSeconds(header) {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header);
  const when = Date.parse(header);
  return Number.isNaN(when) ? null : Math.max(0, Math.round((when - Date.now()) / 1000));
}

// api('POST', '/lookup', {body, token, headers}) → parsed JSON, or throws ApiError.
export async function api(method, path, { body, token, headers = {} } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers }, cache: 'no-store' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  if (token) init.headers.Authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(`/api/v1${path}`, init);
  } catch {
    throw new ApiError(0, null, null);
  }
  const text = await res.text().catch(() => '');
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) throw new ApiError(res.status, data, retryAfterSeconds(res.headers.get('Retry-After')));
  return data;
}

// The words for a failure that is not about one field: network, rate limit, server.
export function generalError(err) {
  if (err.status === 0) return t('err.network');
  if (err.status === 429) {
    const minutes = Math.max(1, Math.ceil((err.retryAfter ?? 60) / 60));
    return minutes === 1 ? t('err.rate1') : t('err.rate', { minutes });
  }
  if (err.status >= 500) return t('err.server');
  return err.problem.detail || err.problem.title || t('err.server');
}

// generalError for the customer's pages: the server's own words (English) only on English pages;
// on others, the page's words for what the status means, so nothing on the page is left untranslated.
export function customerError(err) {
  if (err.status === 0 || err.status === 429 || err.status >= 500 || lang() === 'en') return generalError(err);
  const key = { 401: 'err.session', 404: 'err.notfound', 409: 'err.conflict', 410: 'err.gone' }[err.status];
  return t(key || 'err.check');
}

// Put focus on a heading (or other element) so screen readers announce the new step.
export function focusHeading(el) {
  if (!el) return;
  if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
  el.focus({ preventScroll: true });
  el.scrollIntoView({ block: 'start' });
}

// A labelled form control with hint and error slots wired by aria-describedby.
// Returns {wrap, control, setError(text|null)}.
/* An e-mail input as both pages ask for it: the phone's e-mail keyboard, no auto-capitals. */
export function emailInput(value, onInput, extra = {}) {
  return h('input', {
    type: 'email',
    name: 'email',
    autocomplete: 'email',
    inputmode: 'email',
    autocapitalize: 'none',
    spellcheck: 'false',
    required: true,
    maxlength: 254,
    value,
    oninput: (e) => onInput(e.target.value),
    ...extra,
  });
}

export function field({ id, label, control, hint, className = 'field' }) {
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  const errorEl = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  control.id = id;
  const describe = () => {
    const ids = [hintEl && hintEl.id, !errorEl.hidden && errorEl.id].filter(Boolean);
    if (ids.length) control.setAttribute('aria-describedby', ids.join(' '));
    else control.removeAttribute('aria-describedby');
  };
  describe();
  const wrap = h('div', { class: className }, h('label', { for: id }, label), hintEl, control, errorEl);
  return {
    wrap,
    control,
    setError(text) {
      errorEl.textContent = text || '';
      errorEl.hidden = !text;
      if (text) control.setAttribute('aria-invalid', 'true');
      else control.removeAttribute('aria-invalid');
      describe();
    },
  };
}

// Step indicator: an ordered list with aria-current on the current step.
// finished: the current step is the last and it is complete (shown with a check).
export function stepList(steps, currentIndex, { labelKey = 'steps.label', warnLast = false, finished = false } = {}) {
  return h(
    'ol',
    { class: 'steps', 'aria-label': t(labelKey) },
    steps.map((label, i) => {
      const state = i < currentIndex || (finished && i === currentIndex) ? 'done' : i === currentIndex ? 'current' : 'todo';
      const warn = warnLast && i === steps.length - 1;
      return h(
        'li',
        {
          class: `step step--${state}${i === currentIndex ? ' step--now' : ''}${warn ? ' step--warn' : ''}`,
          'aria-current': i === currentIndex ? 'step' : null,
        },
        h('span', { class: 'step-dot', 'aria-hidden': 'true' }, state === 'done' ? '✓' : warn ? '!' : String(i + 1)),
        h('span', { class: 'step-label' }, label),
        h('span', { class: 'visually-hidden' }, state === 'done' ? t('steps.completed') : ''),
      );
    }),
  );
}

// New UUID for an Idempotency-Key; falls back where crypto.randomUUID is missing (http, old browsers).
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
