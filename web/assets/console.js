// Merchant console: /console/
// Login (staff session cookie, role merchant or merchant_staff) → a summary of the shop's returns and resale → tabs:
// the review queue of resale listings made from graded returns (approve with an edited price and
// title, reject with a reason, approve several at their suggested prices), the published, sold and
// rejected listings, the returns with a status filter and a search, the returns held for review, the
// analytics with their charts and CSV exports (console-analytics.js), the return policy
// (console-policy.js) and the webhook with its deliveries (console-webhook.js), the team and one's own password
// (console-team.js); a return opens its timeline in a side panel (a listing's RMA opens it too), where a held
// return is decided. Staff logins (merchant_staff) see the policy read-only and no webhook tab.
//
// The tab, its page, the returns filter and search and the open return live in the address
// (?tab=returns&status=resolved&q=…&page=2&after=…&rma=…), so a reload shows the same view. A list
// pages by the cursors its answers give (next as after, prev as before: the server reads from the
// cursor on, however deep); page is only the number shown.
import { t, word, money, dateTime, date, onLangChange, mountLangToggle, translateStatic } from './i18n.js';
import { h, api, ApiError, generalError, field } from './common.js';
import { announce, keepFocus, loginState, staffLogin } from './staff.js';
import { init as initPolicy, loadPolicy, viewPolicy, decisionForm, holdDetail } from './console-policy.js';
import { init as initAnalytics, loadAnalytics, viewAnalytics, afterRender as analyticsDrawn } from './console-analytics.js';
import { init as initWebhook, loadWebhook, viewWebhook } from './console-webhook.js';
import { init as initListings, listingNotice, actionsHeader, actionsCell, editorRow } from './console-listings.js';
import { init as initTeam, loadTeam, viewTeam, mayUseConsole, mayChangeSettings, tabsFor } from './console-team.js';
import { searchAfter, searchFound, searchPager, searchPath, searchProblem, searchReset } from './console-search.js';

const TABS = ['review', 'published', 'sold', 'rejected', 'returns', 'holds', 'analytics', 'policy', 'webhook', 'team'];
const LISTING_STATUS = { review: 'pending_review', published: 'published', sold: 'sold', rejected: 'rejected' };
const RETURN_STATUSES = ['label_issued', 'received', 'needs_review', 'resolved', 'canceled', 'expired'];
const TITLE_MAX = 200;
const REASON_MAX = 500;
const SEARCH_MAX = 254;

const S = {
  view: 'loading', // loading | login | denied | console
  ...loginState(), // user and the login form (staff.js)
  summary: null, // GET /merchant/summary
  summaryError: null, // () => text
  tab: 'review',
  pages: { review: 1, published: 1, sold: 1, rejected: 1, returns: 1, holds: 1, analytics: 1, policy: 1, webhook: 1 },
  cursors: {}, // tab → {after} or {before}: where its page starts; none: the first page
  returnsFilter: { status: '', q: '' }, // what the returns list shows
  returnsInput: '', // the search box while typing
  lists: {}, // tab → {data, error: () => text, loading, seq}
  drafts: {}, // listing id → review form state
  selected: new Set(), // listing ids (as strings) chosen for bulk approval
  bulk: { busy: false, notice: null }, // notice: {kind, text: () => text}
  queueNotice: null, // {kind, text: () => text}: the last single approval or rejection
  panel: null, // {rma, ret, error: () => text, loading, seq, opener: element id}
};

const app = document.getElementById('app');
let loadSeq = 0;

// ---------------------------------------------------------------- helpers

function focusId(id) {
  const el = document.getElementById(id);
  if (!el) return;
  if (!el.matches('a, button, input, select, textarea, [tabindex]')) el.setAttribute('tabindex', '-1');
  el.focus({ preventScroll: true });
  el.scrollIntoView({ block: 'nearest' });
}

// Digits after the decimal point of a currency (JPY 0, USD 2).
function digitsOf(currency) {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return 0;
  }
}

// Minor units → the text a price field shows: 3670 JPY → "3670", 9700 USD → "97.00".
function priceInput(minor, currency) {
  const d = digitsOf(currency);
  return d ? (minor / 10 ** d).toFixed(d) : String(minor);
}

// What a merchant typed ("3,500", "￥３５００", "97.5") → minor units, or NaN.
function parsePrice(text, currency) {
  const s = String(text).normalize('NFKC').replace(/[\s,¥$€£]/g, '');
  const d = digitsOf(currency);
  const re = d ? new RegExp(`^\\d+(\\.\\d{1,${d}})?$`) : /^\d+$/;
  if (!re.test(s) || s.length > 15) return NaN;
  const [whole, frac = ''] = s.split('.');
  return Number(whole) * 10 ** d + Number(frac.padEnd(d, '0') || 0);
}

// plural('console.returns.total')(n): the key's ".one" form for 1, else the key with {n}.
function plural(key) {
  return (n) => (n === 1 ? t(`${key}.one`) : t(key, { n }));
}

function currency() {
  return S.summary?.merchant?.currency || null;
}

function idKey(id) {
  return String(id);
}

// ---------------------------------------------------------------- address

function readAddress() {
  const q = new URLSearchParams(location.search);
  const tab = q.get('tab');
  S.tab = TABS.includes(tab) ? tab : 'review';
  const page = Number(q.get('page'));
  S.pages[S.tab] = Number.isInteger(page) && page > 0 ? page : 1;
  const cursor = q.get('after') ? { after: q.get('after') } : q.get('before') ? { before: q.get('before') } : null;
  S.cursors[S.tab] = S.pages[S.tab] > 1 ? cursor : null;
  const status = q.get('status') || '';
  S.returnsFilter = { status: RETURN_STATUSES.includes(status) ? status : '', q: (q.get('q') || '').slice(0, SEARCH_MAX) };
  S.returnsInput = S.returnsFilter.q;
  searchReset(S.returnsFilter.q ? q.get('after') : null);
  if (S.returnsFilter.q) S.cursors.returns = null;
  const rma = q.get('rma');
  S.panel = rma ? { rma, ret: null, error: null, loading: true, seq: 0, opener: null } : null;
}

function writeAddress() {
  const url = new URL(location.href);
  const q = new URLSearchParams();
  const lang = url.searchParams.get('lang');
  if (lang) q.set('lang', lang);
  if (S.tab !== 'review') q.set('tab', S.tab);
  if (S.pages[S.tab] > 1) q.set('page', String(S.pages[S.tab]));
  const cursor = S.cursors[S.tab];
  if (cursor?.after) q.set('after', cursor.after);
  if (cursor?.before) q.set('before', cursor.before);
  if (S.tab === 'returns') {
    if (S.returnsFilter.status) q.set('status', S.returnsFilter.status);
    if (S.returnsFilter.q) q.set('q', S.returnsFilter.q);
    if (S.returnsFilter.q && searchAfter()) q.set('after', searchAfter());
  }
  if (S.panel) q.set('rma', S.panel.rma);
  const search = q.toString();
  const next = `${url.pathname}${search ? `?${search}` : ''}`;
  if (next !== `${location.pathname}${location.search}`) history.replaceState(history.state, '', next);
}

// ---------------------------------------------------------------- top level

function render() {
  const name = S.summary?.merchant?.name || S.user?.merchant_name || '';
  document.title = name ? `${t('console.title')} · ${name}` : t('console.title');
  renderUserBar();
  let content;
  if (S.view === 'console') content = viewConsole();
  else if (S.view === 'login') content = login.view();
  else if (S.view === 'denied') content = viewDenied();
  else content = [h('p', { class: 'loading' }, t('app.loading'))];
  keepFocus(() => app.replaceChildren(...[content].flat(Infinity).filter((c) => c != null && c !== false)));
  app.setAttribute('aria-busy', String(S.view === 'loading'));
  if (S.view === 'console' && S.tab === 'analytics') analyticsDrawn();
}

function renderUserBar() {
  const bar = document.getElementById('user-bar');
  const u = S.user;
  bar.hidden = !u;
  if (!u) return bar.replaceChildren();
  const shop = S.summary?.merchant?.name || u.merchant_name || u.merchant || word('role', u.role);
  bar.replaceChildren(
    h(
      'div',
      { class: 'user-bar-inner' },
      h('p', { class: 'user-who' }, h('span', { class: 'user-shop' }, shop),
        h('span', { class: 'user-email', id: 'user-email', translate: 'no' }, u.email)),
      login.logoutButton(),
    ),
  );
}

// ---------------------------------------------------------------- login

const login = staffLogin({
  S,
  render,
  enter,
  heading: 'console.login.heading',
  intro: 'console.login.intro',
  submitId: 'login-submit',
  onLogout() {
    S.summary = null;
    S.lists = {};
    S.drafts = {};
    S.selected.clear();
    S.panel = null;
    writeAddress();
  },
});

function enter(user, fresh) {
  S.user = user;
  if (!mayUseConsole(user)) {
    S.view = 'denied';
    render();
    return focusId('denied-title');
  }
  S.view = 'console';
  if (!tabsFor(user, TABS).includes(S.tab)) S.tab = 'review';
  render();
  loadSummary();
  loadTab(S.tab);
  if (S.panel) loadPanel();
  focusId(fresh ? 'console-title' : 'main');
}

function viewDenied() {
  const role = S.user?.role;
  return [
    h('h2', { class: 'step-title', id: 'denied-title' }, t('console.title')),
    h('p', { class: 'notice notice--error', role: 'alert' }, t('console.denied', { role: word('role', role) })),
    role === 'warehouse' || role === 'admin'
      ? h('p', {}, h('a', { href: '/scan/', class: 'button button--secondary' }, t('console.denied.scan')))
      : null,
  ];
}

// The session ended under us (idle expiry, logout elsewhere): back to the login form.
function sessionEnded() {
  S.summary = null;
  S.lists = {};
  S.drafts = {};
  S.selected.clear();
  login.expired();
}

// Handles the failures every console call shares; returns true when the view moved on.
function sessionProblem(err) {
  if (err.status === 401) {
    sessionEnded();
    return true;
  }
  if (err.status === 403 && !mayUseConsole(S.user)) {
    S.view = 'denied';
    render();
    return true;
  }
  return false;
}

// ---------------------------------------------------------------- loading

// The counts of the latest load only: one started before the next approval and answered after it
// would count that listing as still waiting.
let summarySeq = 0;

async function loadSummary() {
  const seq = ++summarySeq;
  try {
    const summary = await api('GET', '/merchant/summary');
    if (seq !== summarySeq) return;
    S.summary = summary;
    S.summaryError = null;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (seq !== summarySeq) return;
    if (sessionProblem(err)) return;
    S.summaryError = () => generalError(err);
  }
  if (S.view === 'console') render();
}

function listPath(tab) {
  if (tab === 'returns' && S.returnsFilter.q) return searchPath(S.returnsFilter); // console-search.js
  const q = new URLSearchParams();
  if (tab === 'returns' && S.returnsFilter.status) q.set('status', S.returnsFilter.status);
  if (tab === 'holds') q.set('status', 'needs_review');
  if (LISTING_STATUS[tab]) q.set('status', LISTING_STATUS[tab]);
  const cursor = S.cursors[tab];
  if (cursor?.after) q.set('after', cursor.after);
  else if (cursor?.before) q.set('before', cursor.before);
  else if (S.pages[tab] > 1) q.set('page', String(S.pages[tab])); // an address from before cursors
  return `/${tab === 'returns' || tab === 'holds' ? 'merchant/returns' : 'merchant/listings'}?${q}`;
}

// Loads one tab's list (the newest request wins); keeps the old rows visible while it loads.
async function loadTab(tab) {
  if (tab === 'policy') return loadPolicy();
  if (tab === 'analytics') return loadAnalytics();
  if (tab === 'webhook') return loadWebhook();
  if (tab === 'team') return loadTeam();
  const seq = ++loadSeq;
  const list = S.lists[tab] || (S.lists[tab] = { data: null, error: null, loading: false, seq: 0 });
  list.loading = true;
  list.seq = seq;
  if (S.tab === tab) render();
  try {
    const data = await api('GET', listPath(tab));
    if (list.seq !== seq) return;
    const pages = Math.max(1, Math.ceil((data.total || 0) / (data.per_page || 50)));
    if (S.cursors[tab] && !data.items?.length && data.total > 0) {
      // Nothing left past the cursor (approvals, withdrawals): back to the first page.
      S.cursors[tab] = null;
      S.pages[tab] = 1;
      if (S.tab === tab) writeAddress();
      return loadTab(tab);
    }
    if (S.cursors[tab] && !data.prev) S.pages[tab] = 1; // went back to the first page
    if (!S.cursors[tab] && S.pages[tab] > pages && data.total > 0) {
      // The page emptied under us (approvals, a narrower search): show the last one that has rows.
      S.pages[tab] = pages;
      if (S.tab === tab) writeAddress();
      return loadTab(tab);
    }
    list.data = data;
    list.error = null;
    if (tab === 'review') {
      const ids = new Set((data.items || []).map((l) => idKey(l.id)));
      for (const id of [...S.selected]) if (!ids.has(id)) S.selected.delete(id);
    }
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (list.seq !== seq) return;
    if (sessionProblem(err)) return;
    if (err.status === 422 && S.cursors[tab]) {
      // A cursor the list does not know (an old or edited address): its first page instead.
      S.cursors[tab] = null;
      S.pages[tab] = 1;
      if (S.tab === tab) writeAddress();
      return loadTab(tab);
    }
    const refused = tab === 'returns' && searchProblem(err); // console-search.js
    list.error = () => refused || generalError(err);
    if (refused) list.data = null; // the rows shown answered another search
  }
  list.loading = false;
  if (S.view === 'console' && S.tab === tab) render();
}

function staleLists(...tabs) {
  for (const tab of tabs) if (S.lists[tab]) S.lists[tab].stale = true;
}

// ---------------------------------------------------------------- the console

function viewConsole() {
  return [
    h('h2', { class: 'visually-hidden', id: 'console-title', tabindex: '-1' }, t('console.title')),
    viewSummary(),
    h(
      'div',
      { class: `console-layout${S.panel ? ' console-layout--panel' : ''}` },
      h('div', { class: 'console-main' }, viewTabs(), viewTabPanel()),
      S.panel ? viewReturnPanel() : null,
    ),
  ];
}

function viewSummary() {
  const s = S.summary;
  if (!s) {
    return h('section', { class: 'summary', id: 'summary', 'aria-label': t('console.summary') },
      S.summaryError ? h('p', { class: 'notice notice--error' }, S.summaryError()) : h('p', { class: 'loading' }, t('app.loading')));
  }
  const r = s.returns || {};
  const l = s.listings || {};
  const cur = s.merchant?.currency;
  const stat = (key, label, value, extra) =>
    h('div', { class: `stat stat--${key}`, id: `stat-${key}` }, h('dt', {}, label), h('dd', {}, value, extra || null));
  const open = (r.label_issued || 0) + (r.received || 0);
  return h(
    'section',
    { class: 'summary', id: 'summary', 'aria-labelledby': 'summary-title' },
    h('h2', { class: 'visually-hidden', id: 'summary-title' }, t('console.summary')),
    h(
      'dl',
      { class: 'stats' },
      stat('review', t('console.stat.review'), l.pending_review || 0),
      stat('published', t('console.stat.published'), l.published || 0),
      stat('sold', t('console.stat.sold'), l.sold || 0),
      stat('recovered', t('console.stat.recovered'), money(s.recovered || 0, cur)),
      stat('open', t('console.stat.open'), open,
        h('span', { class: 'stat-note' }, t('console.stat.open.note', { sent: r.label_issued || 0, received: r.received || 0 }))),
      stat('resolved', t('console.stat.resolved'), r.resolved || 0),
      stat('holds', t('console.stat.holds'), r.needs_review || 0),
    ),
  );
}

function tabLabel(tab) {
  const l = S.summary?.listings;
  const n = tab === 'review' ? l?.pending_review
    : tab === 'holds' ? S.summary?.returns?.needs_review
      : ['returns', 'policy', 'analytics', 'webhook', 'team'].includes(tab) ? null : l?.[LISTING_STATUS[tab]];
  return [t(`console.tab.${tab}`), n != null ? h('span', { class: 'tab-count' }, String(n)) : null];
}

function viewTabs() {
  return h(
    'div',
    { class: 'tabs', role: 'tablist', 'aria-label': t('console.tabs'), onkeydown: tabKeys },
    tabsFor(S.user, TABS).map((tab) =>
      h(
        'button',
        {
          type: 'button', role: 'tab', class: 'tab', id: `tab-${tab}`, 'aria-selected': String(tab === S.tab),
          'aria-controls': `panel-${tab}`, tabindex: tab === S.tab ? '0' : '-1', onclick: () => selectTab(tab),
        },
        tabLabel(tab),
      ),
    ),
  );
}

// Arrow keys move between tabs (and select them), Home and End jump to the ends.
function tabKeys(e) {
  const tabs = tabsFor(S.user, TABS);
  const i = tabs.indexOf(S.tab);
  const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
  if (next === undefined) return;
  e.preventDefault();
  const tab = tabs[(next + tabs.length) % tabs.length];
  selectTab(tab);
  document.getElementById(`tab-${tab}`)?.focus();
}

function selectTab(tab) {
  if (tab === S.tab && S.lists[tab]?.data && !S.lists[tab].stale) return;
  S.tab = tab;
  writeAddress();
  const list = S.lists[tab];
  if (!list?.data || list.stale) {
    if (list) list.stale = false;
    loadTab(tab);
  }
  render();
}

function viewTabPanel() {
  const tab = S.tab;
  const list = S.lists[tab] || { data: null, error: null, loading: true };
  let body;
  if (tab === 'review') body = viewReview(list);
  else if (tab === 'returns') body = viewReturns(list);
  else if (tab === 'holds') body = viewHolds(list);
  else if (tab === 'policy') body = viewPolicy();
  else if (tab === 'analytics') body = viewAnalytics();
  else if (tab === 'webhook') body = viewWebhook();
  else if (tab === 'team') body = viewTeam();
  else body = viewListings(tab, list);
  return h(
    'section',
    { class: 'tab-panel', role: 'tabpanel', id: `panel-${tab}`, 'aria-labelledby': `tab-${tab}`, 'aria-busy': String(!!list.loading) },
    body,
  );
}

function listState(list) {
  if (list.error && !list.data) {
    return [h('p', { class: 'notice notice--error', role: 'alert' }, list.error()),
      h('button', { type: 'button', class: 'button button--secondary', onclick: () => loadTab(S.tab) }, t('console.retry'))];
  }
  if (!list.data) return h('p', { class: 'loading' }, t('app.loading'));
  return null;
}

// Previous / next with "page 2 of 5 · 120 listings": by the answer's cursors (prev as before,
// next as after); the page number is counted here.
function pager(tab, data, what) {
  const per = data.per_page || 50;
  const total = data.total || 0;
  const pages = Math.max(1, Math.ceil(total / per));
  const page = Math.min(data.page || S.pages[tab], pages);
  const go = (p, cursor) => {
    S.pages[tab] = p;
    S.cursors[tab] = p > 1 ? cursor : null;
    writeAddress();
    loadTab(tab).then(() => focusId(`${tab}-heading`));
  };
  return h(
    'nav',
    { class: 'pager', 'aria-label': t('console.pages') },
    h('button', { type: 'button', class: 'chip', id: `${tab}-prev`, disabled: !data.prev,
      onclick: () => go(Math.max(1, page - 1), { before: data.prev }) }, t('console.prev')),
    h('p', { class: 'pager-where' }, t('console.page', { page, pages }), ' · ', what(total)),
    h('button', { type: 'button', class: 'chip', id: `${tab}-next`, disabled: !data.next,
      onclick: () => go(page + 1, { after: data.next }) }, t('console.next')),
  );
}

function gradeBadge(grade) {
  return grade ? h('span', { class: `grade grade--${grade}` }, word('grade', grade)) : null;
}

function rmaButton(rma, idSuffix) {
  if (!rma) return null;
  const id = `open-${rma}-${idSuffix}`;
  return h(
    'button',
    {
      type: 'button', class: 'rma-link', id, translate: 'no', 'aria-controls': 'return-panel',
      'aria-expanded': String(S.panel?.rma === rma), 'aria-label': t('console.return.open', { rma }),
      onclick: () => openReturn(rma, id),
    },
    rma,
  );
}

function priceWithOriginal(l) {
  const cur = l.currency || currency();
  return [
    h('span', { class: 'price' }, money(l.price, cur)),
    l.original_price != null && l.original_price !== l.price
      ? [' ', h('s', { class: 'was' }, h('span', { class: 'visually-hidden' }, `${t('console.original')} `), money(l.original_price, cur))]
      : null,
  ];
}

// ---------------------------------------------------------------- review queue

function draftOf(l) {
  const key = idKey(l.id);
  const cur = l.currency || currency();
  if (!S.drafts[key]) {
    S.drafts[key] = {
      price: priceInput(l.suggested_price ?? l.price, cur), title: l.title || '', reason: '', rejectOpen: false,
      errors: {}, formError: null, busy: false, status: l.status,
    };
  }
  return S.drafts[key];
}

function viewReview(list) {
  const state = listState(list);
  const data = list.data;
  const items = data?.items || [];
  const live = items.filter((l) => draftOf(l).status === 'pending_review');
  const chosen = live.filter((l) => S.selected.has(idKey(l.id)));
  const all = live.length > 0 && chosen.length === live.length;
  const bulk = S.bulk;
  return [
    h('h2', { class: 'section-title', id: 'review-heading', tabindex: '-1' }, t('console.review.heading')),
    h('p', { class: 'hint' }, t('console.review.intro')),
    S.queueNotice ? h('p', { class: `notice notice--${S.queueNotice.kind}`, id: 'queue-notice', role: 'status' }, S.queueNotice.text()) : null,
    bulk.notice ? h('p', { class: `notice notice--${bulk.notice.kind}`, id: 'bulk-notice', role: 'status' }, bulk.notice.text()) : null,
    state ||
      (items.length === 0
        ? h('p', { class: 'empty', id: 'review-empty' }, t('console.review.empty'))
        : [
            h(
              'div',
              { class: 'bulk-bar', role: 'group', 'aria-label': t('console.bulk') },
              h('label', { class: 'bulk-all' },
                h('input', { type: 'checkbox', id: 'select-all', checked: all, disabled: live.length === 0 || bulk.busy, onchange: (e) => selectAll(live, e.target.checked) }),
                h('span', {}, t('console.bulk.all'))),
              h('button', {
                type: 'button', class: 'button button--primary bulk-approve', id: 'bulk-approve', disabled: chosen.length === 0 || bulk.busy,
                'aria-busy': String(bulk.busy), onclick: () => bulkApprove(chosen),
              }, bulk.busy ? t('console.bulk.busy') : t('console.bulk.approve', { n: chosen.length })),
              h('p', { class: 'hint bulk-hint' }, t('console.bulk.hint')),
            ),
            h('ul', { class: 'review-list', 'aria-labelledby': 'review-heading' }, items.map((l) => h('li', {}, reviewCard(l)))),
            pager('review', data, plural('console.listings.total')),
          ]),
  ];
}

function reviewCard(l) {
  const d = draftOf(l);
  const key = idKey(l.id);
  const id = `l${key}`;
  const cur = l.currency || currency();
  const pending = d.status === 'pending_review';
  const fact = (label, value, cls) => h('div', { class: cls || null }, h('dt', {}, label), h('dd', {}, value));

  const title = field({
    id: `${id}-title`,
    label: t('console.field.title'),
    control: h('input', {
      type: 'text', name: 'title', maxlength: TITLE_MAX + 50, autocomplete: 'off', value: d.title, disabled: !pending || d.busy,
      oninput: (e) => (d.title = e.target.value),
    }),
  });
  title.setError(d.errors.title?.());
  const price = field({
    id: `${id}-price`,
    label: t('console.field.price', { currency: cur }),
    hint: t('console.field.price.hint', { amount: money(l.suggested_price, cur) }),
    control: h('input', {
      type: 'text', name: 'price', inputmode: digitsOf(cur) ? 'decimal' : 'numeric', autocomplete: 'off', maxlength: 16,
      class: 'price-input', value: d.price, disabled: !pending || d.busy, oninput: (e) => (d.price = e.target.value),
    }),
  });
  price.setError(d.errors.price?.());

  let reject = null;
  if (pending && d.rejectOpen) {
    const reason = field({
      id: `${id}-reason`,
      label: t('console.field.reason'),
      hint: t('console.field.reason.hint'),
      control: h('textarea', {
        name: 'reason', maxlength: REASON_MAX, rows: 2, required: true, value: d.reason, disabled: d.busy,
        oninput: (e) => (d.reason = e.target.value),
      }),
    });
    reason.setError(d.errors.reason?.());
    reject = h(
      'form',
      { class: 'reject-form', id: `${id}-reject-form`, novalidate: true, onsubmit: (e) => (e.preventDefault(), rejectListing(l)) },
      reason.wrap,
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'button button--danger', id: `${id}-reject-confirm`, disabled: d.busy }, t('console.reject.confirm')),
        h('button', { type: 'button', class: 'button button--link', id: `${id}-reject-cancel`, disabled: d.busy, onclick: () => closeReject(l) }, t('console.reject.cancel'))),
    );
  }

  return h(
    'article',
    { class: `card listing listing--${d.status}`, id: `listing-${key}`, 'aria-labelledby': `${id}-name`, 'data-status': d.status },
    h(
      'div',
      { class: 'listing-head' },
      h('input', {
        type: 'checkbox', class: 'listing-check', id: `${id}-select`, checked: pending && S.selected.has(key), disabled: !pending || S.bulk.busy,
        'aria-label': t('console.select', { title: l.title }), onchange: (e) => select(key, e.target.checked),
      }),
      h('div', { class: 'listing-name' },
        h('h3', { class: 'card-title', id: `${id}-name` }, l.title),
        h('p', { class: 'variant' }, [l.variant, l.sku].filter(Boolean).join(' · '))),
      gradeBadge(l.grade),
    ),
    l.condition_note
      ? h('p', { class: 'condition' }, h('span', { class: 'condition-label' }, `${t('console.condition')}: `), l.condition_note)
      : h('p', { class: 'condition condition--none' }, t('console.condition.none')),
    h(
      'dl',
      { class: 'facts listing-facts' },
      fact(t('console.original'), h('span', { class: 'original-price' }, money(l.original_price, cur))),
      fact(t('console.suggested'), h('span', { class: 'suggested-price' }, money(l.suggested_price, cur)), 'fact-suggested'),
      l.category ? fact(t('console.category'), l.category) : null,
      fact(t('console.rma'), rmaButton(l.rma, `l${key}`)),
      l.created_at ? fact(t('console.created'), h('time', { datetime: l.created_at }, date(l.created_at))) : null,
    ),
    pending
      ? null
      : h('p', { class: 'listing-now', id: `${id}-now` },
          t('console.listing.now', { status: word('listing', d.status) }),
          d.status === 'published' && d.nowPrice != null ? ` · ${money(d.nowPrice, cur)}` : ''),
    h(
      'form',
      { class: 'approve-form', id: `${id}-form`, novalidate: true, onsubmit: (e) => (e.preventDefault(), approve(l)) },
      pending ? h('div', { class: 'approve-fields' }, title.wrap, price.wrap) : null,
      d.formError ? h('div', { class: 'notice notice--error', role: 'alert', id: `${id}-error`, tabindex: '-1' }, d.formError()) : null,
      pending && !d.rejectOpen
        ? h('div', { class: 'actions' },
            h('button', { type: 'submit', class: 'button button--primary', id: `${id}-approve`, disabled: d.busy, 'aria-busy': String(d.busy) },
              t(d.busy ? 'console.approve.busy' : 'console.approve')),
            h('button', { type: 'button', class: 'button button--danger', id: `${id}-reject`, disabled: d.busy, onclick: () => openReject(l) }, t('console.reject')))
        : null,
    ),
    reject,
  );
}

function rerenderCard(l) {
  const old = document.getElementById(`listing-${idKey(l.id)}`);
  if (old) keepFocus(() => old.replaceWith(reviewCard(l)));
}

function select(key, on) {
  if (on) S.selected.add(key);
  else S.selected.delete(key);
  S.bulk.notice = null;
  render();
}

function selectAll(live, on) {
  for (const l of live) {
    if (on) S.selected.add(idKey(l.id));
    else S.selected.delete(idKey(l.id));
  }
  S.bulk.notice = null;
  render();
}

function openReject(l) {
  const d = draftOf(l);
  d.rejectOpen = true;
  d.formError = null;
  rerenderCard(l);
  document.getElementById(`l${idKey(l.id)}-reason`)?.focus();
}

function closeReject(l) {
  const d = draftOf(l);
  d.rejectOpen = false;
  delete d.errors.reason;
  rerenderCard(l);
  document.getElementById(`l${idKey(l.id)}-reject`)?.focus();
}

function focusCardError(l, order) {
  const id = `l${idKey(l.id)}`;
  const d = draftOf(l);
  const first = order.find((f) => d.errors[f]);
  if (first) return document.getElementById(`${id}-${first}`)?.focus();
  document.getElementById(`${id}-error`)?.focus();
}

// A failed approve or reject, told next to the listing.
async function listingProblem(l, err, order) {
  const d = draftOf(l);
  const cur = l.currency || currency();
  d.busy = false;
  if (sessionProblem(err)) return;
  if (err.status === 422) {
    const words = {
      price: () => t('console.err.price', { min: money(1, cur) }),
      title: () => t('console.err.title', { max: TITLE_MAX }),
      reason: () => t('console.err.reason', { max: REASON_MAX }),
    };
    for (const e of err.fieldErrors) if (words[e.field]) d.errors[e.field] = words[e.field];
    if (!order.some((f) => d.errors[f])) d.formError = () => err.problem.detail || err.problem.title || t('err.check');
  } else if (err.status === 409) {
    // Someone else decided first (another tab, another person): show what it is now.
    try {
      const now = await api('GET', `/merchant/listings/${encodeURIComponent(l.id)}`);
      d.status = now.status;
      d.nowPrice = now.price;
      d.rejectOpen = false;
      S.selected.delete(idKey(l.id));
      d.formError = () => t('console.err.conflict', { status: word('listing', now.status) });
      staleLists('published', 'rejected', 'sold');
      loadSummary();
    } catch {
      d.formError = () => t('console.err.conflict.unknown');
    }
  } else if (err.status === 404) {
    d.status = 'gone';
    d.formError = () => t('console.err.gone');
  } else {
    d.formError = () => generalError(err);
  }
  const text = d.formError?.() || order.map((f) => d.errors[f]?.()).find(Boolean);
  if (text) announce(`${l.title}: ${text}`);
  render();
  focusCardError(l, order);
}

function cardErrors(l, d) {
  const cur = l.currency || currency();
  const errors = {};
  const price = parsePrice(d.price, cur);
  if (!Number.isSafeInteger(price) || price < 1) errors.price = () => t('console.err.price', { min: money(1, cur) });
  const title = d.title.trim();
  if (!title || [...title].length > TITLE_MAX) errors.title = () => t('console.err.title', { max: TITLE_MAX });
  return { errors, price, title };
}

async function approve(l) {
  const d = draftOf(l);
  if (d.busy || d.status !== 'pending_review') return;
  d.formError = null;
  const { errors, price, title } = cardErrors(l, d);
  d.errors = errors;
  if (Object.keys(errors).length) {
    rerenderCard(l);
    announce(`${l.title}: ${Object.values(errors)[0]()}`);
    return focusCardError(l, ['title', 'price']);
  }
  const body = { price };
  if (title !== l.title) body.title = title;
  d.busy = true;
  rerenderCard(l);
  let next;
  try {
    next = await api('POST', `/merchant/listings/${encodeURIComponent(l.id)}/approve`, { body });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return listingProblem(l, err, ['title', 'price']);
  }
  const cur = next.currency || l.currency || currency();
  const text = () => t('console.approved', { title: next.title, price: money(next.price, cur) });
  removeFromQueue(l, text);
  announce(text());
}

async function rejectListing(l) {
  const d = draftOf(l);
  if (d.busy || d.status !== 'pending_review') return;
  d.formError = null;
  d.errors = {};
  const reason = d.reason.trim();
  if (!reason || [...reason].length > REASON_MAX) {
    d.errors.reason = () => t('console.err.reason', { max: REASON_MAX });
    rerenderCard(l);
    announce(`${l.title}: ${d.errors.reason()}`);
    return focusCardError(l, ['reason']);
  }
  d.busy = true;
  rerenderCard(l);
  try {
    await api('POST', `/merchant/listings/${encodeURIComponent(l.id)}/reject`, { body: { reason } });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return listingProblem(l, err, ['reason']);
  }
  const text = () => t('console.rejected', { title: l.title });
  removeFromQueue(l, text);
  announce(text());
}

// A decided listing leaves the queue at once; the focus goes to the next one (or the heading).
function removeFromQueue(l, text) {
  const key = idKey(l.id);
  const list = S.lists.review;
  const items = list?.data?.items || [];
  const at = items.findIndex((x) => idKey(x.id) === key);
  if (at >= 0) {
    items.splice(at, 1);
    list.data.total = Math.max(0, (list.data.total || 1) - 1);
  }
  delete S.drafts[key];
  S.selected.delete(key);
  S.queueNotice = { kind: 'ok', text };
  S.bulk.notice = null;
  staleLists('published', 'rejected');
  render();
  const next = items[Math.min(at, items.length - 1)];
  if (next) focusId(`l${idKey(next.id)}-name`);
  else focusId('queue-notice');
  loadSummary();
  // Refill the page from the server when it ran empty but more are waiting.
  if (!items.length && list?.data?.total > 0) loadTab('review');
}

async function bulkApprove(chosen) {
  if (S.bulk.busy || !chosen.length) return;
  S.bulk.busy = true;
  S.bulk.notice = null;
  S.queueNotice = null;
  render();
  let res;
  try {
    res = await api('POST', '/merchant/listings/approve', { body: { ids: chosen.map((l) => l.id) } });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    S.bulk.busy = false;
    if (sessionProblem(err)) return;
    S.bulk.notice = { kind: 'error', text: () => generalError(err) };
    render();
    announce(S.bulk.notice.text());
    return focusId('bulk-notice');
  }
  S.bulk.busy = false;
  const approved = (res.approved || []).length;
  const skipped = (res.skipped || []).length;
  const text = () =>
    [t('console.bulk.done', { n: approved }), skipped ? t('console.bulk.skipped', { n: skipped }) : null].filter(Boolean).join(' ');
  S.bulk.notice = { kind: skipped ? 'error' : 'ok', text };
  for (const id of res.approved || []) {
    delete S.drafts[idKey(id)];
    S.selected.delete(idKey(id));
  }
  for (const id of res.skipped || []) S.selected.delete(idKey(id));
  staleLists('published');
  await loadTab('review');
  loadSummary();
  announce(text());
  focusId('bulk-notice');
}

// ---------------------------------------------------------------- published, sold, rejected

function viewListings(tab, list) {
  const state = listState(list);
  const data = list.data;
  const items = data?.items || [];
  const dateOf = (l) => (tab === 'sold' ? l.sold_at : tab === 'published' ? l.published_at : l.created_at);
  return [
    h('h2', { class: 'section-title', id: `${tab}-heading`, tabindex: '-1' }, t(`console.${tab}.heading`)),
    listingNotice(tab),
    state ||
      (items.length === 0
        ? h('p', { class: 'empty', id: `${tab}-empty` }, t(`console.${tab}.empty`))
        : [
            h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { class: 'rows listings-table', id: `${tab}-table` },
                h('caption', { class: 'visually-hidden' }, t(`console.${tab}.heading`)),
                h('thead', {}, h('tr', {},
                  h('th', { scope: 'col' }, t('console.col.item')),
                  h('th', { scope: 'col' }, t('console.col.grade')),
                  h('th', { scope: 'col' }, t('console.col.price')),
                  h('th', { scope: 'col' }, t(`console.col.date.${tab}`)),
                  h('th', { scope: 'col' }, t('console.rma')),
                  tab === 'rejected' ? h('th', { scope: 'col' }, t('console.col.reason')) : null,
                  actionsHeader(tab))),
                h(
                  'tbody',
                  {},
                  items.map((l) => [
                    h(
                      'tr',
                      { id: `row-${idKey(l.id)}`, 'data-status': l.status },
                      h('td', { 'data-label': t('console.col.item') },
                        h('span', { class: 'row-title' }, l.title),
                        h('span', { class: 'variant row-variant' }, [l.variant, l.sku].filter(Boolean).join(' · ')),
                        l.condition_note ? h('span', { class: 'row-note' }, l.condition_note) : null),
                      h('td', { 'data-label': t('console.col.grade') }, gradeBadge(l.grade)),
                      h('td', { 'data-label': t('console.col.price'), class: 'num' }, priceWithOriginal(l)),
                      h('td', { 'data-label': t(`console.col.date.${tab}`) },
                        dateOf(l) ? h('time', { datetime: dateOf(l) }, date(dateOf(l))) : '—'),
                      h('td', { 'data-label': t('console.rma') }, rmaButton(l.rma, `r${idKey(l.id)}`)),
                      tab === 'rejected' ? h('td', { 'data-label': t('console.col.reason'), class: 'row-reason' }, l.reject_reason || '') : null,
                      actionsCell(tab, l),
                    ),
                    editorRow(tab, l, 6),
                  ]),
                ),
              ),
            ),
            pager(tab, data, plural('console.listings.total')),
          ]),
  ];
}

// ---------------------------------------------------------------- returns

function viewReturns(list) {
  const state = listState(list);
  const data = list.data;
  const items = data?.items || [];
  const f = S.returnsFilter;
  const status = h(
    'select',
    { id: 'returns-status', name: 'status', onchange: (e) => filterReturns({ status: e.target.value }) },
    h('option', { value: '', selected: !f.status }, t('console.returns.all')),
    RETURN_STATUSES.map((s) => h('option', { value: s, selected: f.status === s }, word('status', s))),
  );
  const searchNav = () => searchPager(data, () => {
    writeAddress();
    loadTab('returns').then(() => focusId('returns-heading'));
  });
  const search = h('input', {
    type: 'search', id: 'returns-q', name: 'q', maxlength: SEARCH_MAX, autocomplete: 'off', spellcheck: 'false',
    autocapitalize: 'none', value: S.returnsInput, 'aria-describedby': 'returns-q-hint', oninput: (e) => (S.returnsInput = e.target.value),
  });
  return [
    h('h2', { class: 'section-title', id: 'returns-heading', tabindex: '-1' }, t('console.returns.heading')),
    h(
      'form',
      { class: 'returns-filter', role: 'search', novalidate: true, onsubmit: (e) => (e.preventDefault(), filterReturns({ q: S.returnsInput.trim() })) },
      h('div', { class: 'field' }, h('label', { for: 'returns-status' }, t('console.returns.status')), status),
      h('div', { class: 'field field--grow' },
        h('label', { for: 'returns-q' }, t('console.returns.search')),
        h('div', { class: 'search-row' }, search,
          h('button', { type: 'submit', class: 'button button--primary', id: 'returns-search' }, t('console.returns.go')))),
      h('p', { class: 'hint', id: 'returns-q-hint' }, t('console.returns.search.hint')),
      f.q || f.status
        ? h('button', { type: 'button', class: 'button button--link', id: 'returns-clear', onclick: () => filterReturns({ status: '', q: '' }) }, t('console.returns.clear'))
        : null,
    ),
    state ||
      (items.length === 0
        ? (f.q && data.next ? searchNav() // none among the newest it looked at; older ones may match
          : h('p', { class: 'empty', id: 'returns-empty' }, f.q || f.status ? t('console.returns.none') : t('console.returns.empty')))
        : [
            h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { class: 'rows returns-table', id: 'returns-table' },
                h('caption', { class: 'visually-hidden' }, t('console.returns.heading')),
                h('thead', {}, h('tr', {},
                  h('th', { scope: 'col' }, t('console.rma')),
                  h('th', { scope: 'col' }, t('console.col.order')),
                  h('th', { scope: 'col' }, t('console.col.customer')),
                  h('th', { scope: 'col' }, t('console.col.status')),
                  h('th', { scope: 'col', class: 'num' }, t('console.col.items')),
                  h('th', { scope: 'col', class: 'num' }, t('console.col.refund')),
                  h('th', { scope: 'col' }, t('console.col.created')))),
                h(
                  'tbody',
                  {},
                  items.map((r) =>
                    h(
                      'tr',
                      { id: `return-${r.rma}`, class: S.panel?.rma === r.rma ? 'row--open' : null },
                      h('td', { 'data-label': t('console.rma') }, rmaButton(r.rma, 'row')),
                      h('td', { 'data-label': t('console.col.order'), translate: 'no' }, r.order_number),
                      h('td', { 'data-label': t('console.col.customer') },
                        h('span', { class: 'row-title' }, r.customer_name || ''),
                        h('span', { class: 'variant', translate: 'no' }, r.email || '')),
                      h('td', { 'data-label': t('console.col.status') }, statusPill(r.status)),
                      h('td', { 'data-label': t('console.col.items'), class: 'num' }, r.items ?? ''),
                      h('td', { 'data-label': t('console.col.refund'), class: 'num' }, r.refund_amount == null ? '—' : money(r.refund_amount, r.currency)),
                      h('td', { 'data-label': t('console.col.created') }, r.created_at ? h('time', { datetime: r.created_at }, date(r.created_at)) : ''),
                    ),
                  ),
                ),
              ),
            ),
            f.q ? searchNav() : pager('returns', data, plural('console.returns.total')),
          ]),
  ];
}

function statusPill(status) {
  return h('span', { class: `status-pill status-pill--${status}` }, word('status', status));
}

function filterReturns(change) {
  Object.assign(S.returnsFilter, change);
  if ('q' in change) S.returnsInput = change.q;
  S.pages.returns = 1;
  S.cursors.returns = null;
  searchReset();
  writeAddress();
  loadTab('returns').then(() => {
    const list = S.lists.returns;
    if (!list?.data) return;
    if (S.returnsFilter.q) announce(searchFound(list.data));
    else announce(list.data.total ? plural('console.returns.found')(list.data.total) : t('console.returns.none'));
  });
}

// ---------------------------------------------------------------- a return's timeline

function openReturn(rma, opener) {
  if (S.panel?.rma === rma && S.panel.ret) return focusId('panel-title');
  S.panel = { rma, ret: null, error: null, loading: true, seq: 0, opener };
  writeAddress();
  render();
  loadPanel().then(() => focusId('panel-title'));
}

function closeReturn() {
  // Back to the button that opened it, or (opened from the address) one that opens the same return.
  const opener = S.panel?.opener || document.querySelector('.rma-link[aria-expanded="true"]')?.id;
  S.panel = null;
  writeAddress();
  render();
  if (opener && document.getElementById(opener)) focusId(opener);
  else focusId(`${S.tab}-heading`);
}

async function loadPanel() {
  const p = S.panel;
  if (!p) return;
  const seq = ++loadSeq;
  p.seq = seq;
  p.loading = true;
  try {
    const ret = await api('GET', `/returns/${encodeURIComponent(p.rma)}`);
    if (S.panel?.seq !== seq) return;
    p.ret = ret;
    p.error = null;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (S.panel?.seq !== seq) return;
    if (sessionProblem(err)) return;
    p.error = err.status === 404 ? () => t('console.return.notfound') : () => generalError(err);
  }
  p.loading = false;
  render();
}

function viewReturnPanel() {
  const p = S.panel;
  const r = p.ret;
  let body;
  if (p.error) body = h('p', { class: 'notice notice--error', role: 'alert' }, p.error());
  else if (!r) body = h('p', { class: 'loading' }, t('app.loading'));
  else body = returnDetails(r);
  return h(
    'aside',
    { class: 'return-panel', id: 'return-panel', 'aria-labelledby': 'panel-title', 'aria-busy': String(!!p.loading) },
    h('div', { class: 'panel-head' },
      h('h2', { class: 'panel-title', id: 'panel-title', tabindex: '-1' }, t('console.return.title'), ' ', h('span', { class: 'rma-text', translate: 'no' }, p.rma)),
      h('button', { type: 'button', class: 'chip', id: 'panel-close', onclick: closeReturn }, t('console.return.close'))),
    body,
  );
}

function returnDetails(r) {
  const fact = (label, value) => (value == null || value === '' ? null : h('div', {}, h('dt', {}, label), h('dd', {}, value)));
  return [
    h(
      'dl',
      { class: 'facts panel-facts' },
      fact(t('console.col.status'), h('span', { id: 'panel-status' }, statusPill(r.status))),
      fact(t('console.col.order'), r.order_number),
      fact(t('console.col.customer'), r.customer_name),
      fact(t('console.return.warehouse'), r.warehouse_name ? `${r.warehouse_name} (${r.warehouse})` : r.warehouse),
      fact(t('console.col.created'), r.created_at ? dateTime(r.created_at) : null),
      fact(t('console.return.received'), r.received_at ? dateTime(r.received_at) : null),
    ),
    refundBox(r),
    decisionForm(r),
    h('h3', { class: 'panel-subtitle', id: 'panel-items' }, t('console.return.items')),
    h('ul', { class: 'panel-items', 'aria-labelledby': 'panel-items' }, (r.items || []).map((item) => h('li', {}, panelItem(r, item)))),
    h('h3', { class: 'panel-subtitle', id: 'panel-events' }, t('console.return.events')),
    timeline(r),
  ];
}

function refundBox(r) {
  const f = r.refund;
  if (!f) return h('p', { class: 'hint panel-refund-none' }, r.status === 'resolved' ? t('console.refund.none') : t('console.refund.pending'));
  const cur = f.currency || r.currency;
  const row = (label, value) => h('div', { class: 'money-row' }, h('dt', {}, label), h('dd', {}, value));
  return h(
    'div',
    { class: 'panel-refund', id: 'panel-refund', role: 'group', 'aria-labelledby': 'panel-refund-title' },
    h('h3', { class: 'panel-subtitle', id: 'panel-refund-title' }, t('console.refund.title')),
    h(
      'dl',
      { class: 'money' },
      row(t('console.refund.method'), word('method', f.method)),
      f.refund ? row(t('scan.money.refund'), money(f.refund, cur)) : null,
      f.restocking_fee ? row(t('scan.money.fee'), money(f.restocking_fee, cur)) : null,
      f.store_credit ? row(t('scan.money.credit'), money(f.store_credit, cur)) : null,
      f.store_credit_bonus ? row(t('console.refund.bonus'), money(f.store_credit_bonus, cur)) : null,
      (r.exchanges || []).map((x) => row(t('scan.money.exchange'), `${x.variant || x.sku} × ${x.quantity}`)),
      h('div', { class: 'money-row money-row--total' }, h('dt', {}, t('console.refund.total')), h('dd', { id: 'panel-refund-total' }, money(f.amount ?? 0, cur))),
    ),
  );
}

function panelItem(r, item) {
  const parts = [];
  if (item.status === 'inspected') {
    parts.push(t('scan.inspect.done', { received: item.received_quantity ?? 0, quantity: item.quantity }));
    if (item.grade) parts.push(word('grade', item.grade));
    if (item.disposition) parts.push(word('disposition', item.disposition));
  } else {
    parts.push(t('console.item.waiting'));
  }
  const wants = item.resolution === 'exchange'
    ? t('scan.item.exchange', { variant: item.exchange_variant || item.exchange_sku || '' })
    : word('resolution', item.resolution);
  return h(
    'article',
    { class: 'panel-item', id: `panel-item-${item.item_id}` },
    h('h4', { class: 'card-title' }, item.name || item.sku),
    h('p', { class: 'variant' }, [item.variant, item.sku, `× ${item.quantity}`].filter(Boolean).join(' · ')),
    h('p', {}, [word('reason', item.reason), wants, money((item.unit_price || 0) * (item.quantity || 0), r.currency)].filter(Boolean).join(' · ')),
    item.comment ? h('p', { class: 'comment' }, item.comment) : null,
    h('p', { class: `panel-inspection${item.status === 'inspected' ? ' panel-inspection--done' : ''}` }, parts.join(' · ')),
    item.note ? h('p', { class: 'comment' }, item.note) : null,
  );
}

function actorWord(actor) {
  return word('console.actor', String(actor || '').split(':')[0]) || actor;
}

function eventDetail(e, r) {
  const d = e.detail;
  if (!d || typeof d !== 'object') return null;
  const cur = d.currency || r.currency;
  const held = holdDetail(e, cur); // a hold or a decision (console-policy.js)
  if (held) return h('div', { class: 'event-detail' }, held.map((p) => h('p', {}, p)));
  const parts = [];
  if (e.type === 'received') {
    if (d.warehouse_name) parts.push(t('detail.warehouse', { name: d.warehouse_name }));
  } else if (e.type === 'inspected') {
    const head = [t('detail.inspected', { name: d.name || d.sku || '', received: d.received_quantity ?? 0, quantity: d.quantity ?? '' })];
    if (d.grade) head.push(t('detail.grade', { grade: word('grade', d.grade) }));
    if (d.disposition) head.push(word('disposition', d.disposition));
    parts.push(head.join(' · '));
  } else if (e.type === 'resolved') {
    if (d.refund) parts.push(t('detail.refund', { amount: money(d.refund, cur) }));
    if (d.restocking_fee) parts.push(t('detail.fee', { amount: money(d.restocking_fee, cur) }));
    if (d.store_credit) parts.push(t('detail.credit', { amount: money(d.store_credit, cur) }));
    for (const x of Array.isArray(d.exchanges) ? d.exchanges : []) parts.push(t('detail.exchange', { variant: x.variant || x.sku, n: x.quantity }));
    if (d.missing) parts.push(t('detail.missing', { n: d.missing }));
  } else {
    if (Number.isInteger(d.amount)) parts.push(t('detail.amount', { amount: money(d.amount, cur) }));
    if (Number.isInteger(d.items)) parts.push(t('detail.items', { n: d.items }));
  }
  return parts.length ? h('div', { class: 'event-detail' }, parts.map((p) => h('p', {}, p))) : null;
}

function timeline(r) {
  // Newest first; events of the same second keep their recorded order reversed.
  const events = [...(r.events || [])].reverse().sort((a, b) => String(b.at).localeCompare(String(a.at)));
  if (!events.length) return h('p', { class: 'hint' }, t('track.noevents'));
  return h(
    'ol',
    { class: 'timeline', id: 'panel-timeline' },
    events.map((e) =>
      h(
        'li',
        { class: `event event--${e.type}` },
        h('p', { class: 'event-title' }, word('event', e.type)),
        h('p', { class: 'event-meta' },
          h('time', { datetime: e.at }, dateTime(e.at)),
          e.actor ? [' · ', actorWord(e.actor)] : null,
          e.staff ? [' · ', h('span', { translate: 'no' }, e.staff)] : null),
        eventDetail(e, r),
      ),
    ),
  );
}

// ---------------------------------------------------------------- returns held for review

function viewHolds(list) {
  const state = listState(list);
  const items = list.data?.items || [];
  return [
    h('h2', { class: 'section-title', id: 'holds-heading', tabindex: '-1' }, t('console.holds.heading')),
    h('p', { class: 'hint' }, t('console.holds.intro')),
    state ||
      (items.length === 0
        ? h('p', { class: 'empty', id: 'holds-empty' }, t('console.holds.empty'))
        : [
            h('div', { class: 'table-wrap' },
              h('table', { class: 'rows returns-table', id: 'holds-table' },
                h('caption', { class: 'visually-hidden' }, t('console.holds.heading')),
                h('thead', {}, h('tr', {},
                  h('th', { scope: 'col' }, t('console.rma')),
                  h('th', { scope: 'col' }, t('console.col.order')),
                  h('th', { scope: 'col' }, t('console.col.customer')),
                  h('th', { scope: 'col', class: 'num' }, t('console.col.items')),
                  h('th', { scope: 'col' }, t('console.col.created')))),
                h('tbody', {}, items.map((r) =>
                  h('tr', { id: `hold-${r.rma}`, class: S.panel?.rma === r.rma ? 'row--open' : null },
                    h('td', { 'data-label': t('console.rma') }, rmaButton(r.rma, 'hold')),
                    h('td', { 'data-label': t('console.col.order'), translate: 'no' }, r.order_number),
                    h('td', { 'data-label': t('console.col.customer') },
                      h('span', { class: 'row-title' }, r.customer_name || ''),
                      h('span', { class: 'variant', translate: 'no' }, r.email || '')),
                    h('td', { 'data-label': t('console.col.items'), class: 'num' }, r.items ?? ''),
                    h('td', { 'data-label': t('console.col.created') }, r.created_at ? h('time', { datetime: r.created_at }, date(r.created_at)) : '')))))),
            pager('holds', list.data, plural('console.holds.total')),
          ]),
  ];
}

initAnalytics({ render, sessionProblem, focusId });
initWebhook({ render, sessionProblem, announce, focusId });
initListings({
  render, sessionProblem, announce, focusId, priceInput, parsePrice, digitsOf, currency,
  onChanged(tab, l) { // withdrawn, restored, edited or found changed: the lists and counts as they are now
    delete S.drafts[idKey(l.id)];
    staleLists('review', 'published', 'rejected', 'sold');
    loadSummary();
    loadTab(tab);
  },
});
initTeam({ render, sessionProblem, announce, focusId, user: () => S.user });

initPolicy({
  readOnly: () => !mayChangeSettings(S.user),
  render,
  sessionProblem,
  announce,
  focusId,
  priceInput,
  parsePrice,
  onDecided(ret) {
    if (S.panel?.rma === ret.rma) S.panel.ret = ret;
    staleLists('holds', 'returns', 'review');
    loadSummary();
    if (S.tab === 'holds' || S.tab === 'returns') loadTab(S.tab);
    render();
    focusId('panel-status');
  },
});

// ---------------------------------------------------------------- start

mountLangToggle(document.getElementById('lang-toggle'));
translateStatic();
onLangChange(() => render());
readAddress();
render();
login.start();
