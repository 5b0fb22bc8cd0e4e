// Public resale shop: /shop/{merchant}/
// Published second-hand items of one merchant, as cards: grade badge, condition note, the price next
// to the struck-through original and the saving. Filters (grade, size/variant, category) come from
// the answer's facets; a title search and a sort; pages of 24. Every choice lives in the address
// (?grade=like_new&q=shirt&sort=price&page=2), so links, reloads and the back button show the same
// list. A card's id is listing-<id> (/shop/{merchant}/#listing-<id> finds it); it links to the item page.
// One request per view, no images, no framework: quick on a phone.
import { t, word, money, onLangChange, mountLangToggle, translateStatic } from './i18n.js';
import { h, api, ApiError, generalError } from './common.js';

const GRADES = ['new', 'like_new', 'good', 'fair'];
const SORTS = ['newest', 'price', '-price'];
const FILTERS = ['grade', 'variant', 'category'];
const SEARCH_MAX = 100;
const HASH_PAGES_MAX = 20; // how far to look for a #listing-<id> that is not on the first page

const slug = slugFromPath();
const S = {
  query: readQuery(), // {grade, variant, category, q, sort, page}
  data: null, // the last answer
  merchant: null, // {slug, name, currency}
  notFound: false,
  error: null, // () => text
  loading: true,
  seq: 0,
  searchInput: '',
  targetSought: false, // looked for the #listing-<id> of the address already
};
S.searchInput = S.query.q;

const app = document.getElementById('app');

function slugFromPath() {
  const m = location.pathname.match(/^\/shop\/([^/]+)/);
  try {
    return m ? decodeURIComponent(m[1]) : '';
  } catch {
    return '';
  }
}

function announce(text) {
  const el = document.getElementById('announce');
  el.textContent = '';
  setTimeout(() => (el.textContent = text), 50);
}

function keepFocus(fn) {
  const id = document.activeElement?.id;
  fn();
  if (id && document.activeElement?.id !== id) document.getElementById(id)?.focus({ preventScroll: true });
}

// ---------------------------------------------------------------- the address

function readQuery() {
  const p = new URLSearchParams(location.search);
  const page = Number(p.get('page'));
  const sort = p.get('sort');
  return {
    grade: p.get('grade') || '',
    variant: p.get('variant') || '',
    category: p.get('category') || '',
    q: (p.get('q') || '').slice(0, SEARCH_MAX),
    sort: SORTS.includes(sort) ? sort : 'newest',
    page: Number.isInteger(page) && page > 1 ? page : 1,
  };
}

function queryString(query) {
  const p = new URLSearchParams();
  for (const k of FILTERS) if (query[k]) p.set(k, query[k]);
  if (query.q) p.set('q', query.q);
  if (query.sort !== 'newest') p.set('sort', query.sort);
  if (query.page > 1) p.set('page', String(query.page));
  return p;
}

// The page's own address for a query (the language choice, when in the address, stays).
function hrefFor(query, hash = '') {
  const p = queryString(query);
  const lang = new URLSearchParams(location.search).get('lang');
  if (lang) p.set('lang', lang);
  const s = p.toString();
  return `${location.pathname}${s ? `?${s}` : ''}${hash}`;
}

// Shows the list for a new query; a new history entry unless replace.
function go(change, { replace = false, focus = 'results-title' } = {}) {
  S.query = { ...S.query, page: 1, ...change };
  const href = hrefFor(S.query);
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  load().then(() => {
    if (S.data && !S.notFound) {
      const n = S.data.total || 0;
      announce(n === 1 ? t('shop.count.one') : t('shop.count', { n }));
    }
    if (focus) document.getElementById(focus)?.focus({ preventScroll: focus !== 'results-title' });
    if (focus === 'results-title') document.getElementById('results-title')?.scrollIntoView({ block: 'start' });
  });
}

// ---------------------------------------------------------------- loading

async function load() {
  const seq = ++S.seq;
  S.loading = true;
  renderBusy();
  const p = queryString(S.query);
  if (S.query.page > 1) p.set('page', String(S.query.page));
  let data;
  try {
    data = await api('GET', `/shop/${encodeURIComponent(slug)}/listings${p.toString() ? `?${p}` : ''}`);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (seq !== S.seq) return;
    S.loading = false;
    if (err.status === 404) {
      S.notFound = true;
      S.data = null;
    } else if (err.status === 422 && err.fieldErrors.length) {
      // A tampered or outdated link (an unknown grade or sort): drop what was refused and show the rest.
      const bad = new Set(err.fieldErrors.map((e) => e.field));
      const clean = { ...S.query };
      for (const k of [...FILTERS, 'q', 'sort', 'page']) if (bad.has(k)) clean[k] = k === 'sort' ? 'newest' : k === 'page' ? 1 : '';
      if (JSON.stringify(clean) !== JSON.stringify(S.query)) {
        S.query = clean;
        S.searchInput = clean.q;
        history.replaceState(null, '', hrefFor(clean, location.hash));
        return load();
      }
      S.error = () => generalError(err);
    } else {
      S.error = () => generalError(err);
    }
    return render();
  }
  if (seq !== S.seq) return;
  const pages = Math.max(1, Math.ceil((data.total || 0) / (data.per_page || 24)));
  if (S.query.page > pages && data.total > 0) {
    S.query = { ...S.query, page: pages };
    history.replaceState(null, '', hrefFor(S.query, location.hash));
    return load();
  }
  S.loading = false;
  S.error = null;
  S.notFound = false;
  S.data = data;
  S.merchant = data.merchant || S.merchant;
  render();
  showTarget();
}

// The card named by #listing-<id>: highlighted and focused; looked for on later pages when the
// first answer does not hold it (the product feed links to the shop's first page).
async function showTarget() {
  const m = location.hash.match(/^#listing-([\w-]+)$/);
  if (!m) return;
  const card = document.getElementById(`listing-${m[1]}`);
  if (card) {
    card.classList.add('shop-card--target');
    card.setAttribute('tabindex', '-1');
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: 'center' });
    return;
  }
  if (S.targetSought) return;
  S.targetSought = true;
  const seq = S.seq; // a search or filter chosen meanwhile ends the looking
  const pages = Math.min(HASH_PAGES_MAX, Math.ceil((S.data?.total || 0) / (S.data?.per_page || 24)));
  for (let page = 1; page <= pages; page++) {
    if (page === S.query.page) continue;
    const p = queryString({ ...S.query, page });
    p.set('page', String(page));
    let data;
    try {
      data = await api('GET', `/shop/${encodeURIComponent(slug)}/listings?${p}`);
    } catch {
      return;
    }
    if (seq !== S.seq) return;
    if ((data.items || []).some((l) => String(l.id) === m[1])) {
      S.query = { ...S.query, page };
      history.replaceState(null, '', hrefFor(S.query, location.hash));
      S.data = data;
      render();
      return showTarget();
    }
  }
}

// ---------------------------------------------------------------- rendering

function renderBusy() {
  app.setAttribute('aria-busy', 'true');
  document.getElementById('results')?.classList.add('shop-results--busy');
}

function render() {
  const name = S.merchant?.name || '';
  document.getElementById('merchant-name').textContent = name || t('shop.title');
  // Social proof that is true: the items sold from this very shop.
  const sold = S.data?.sold_count || 0;
  let proof = document.getElementById('shop-sold');
  if (!proof) {
    proof = h('p', { class: 'shop-sold', id: 'shop-sold' });
    document.getElementById('merchant-name').after(proof);
  }
  proof.textContent = sold > 0 ? t(sold === 1 ? 'shop.sold1' : 'shop.sold', { n: sold }) : '';
  proof.hidden = sold === 0;
  document.title = name ? `${name} · ${t('shop.title')}` : t('shop.title');
  let content;
  if (S.notFound) {
    content = [
      h('h2', { class: 'step-title', id: 'notfound' }, t('shop.notfound.title')),
      h('p', {}, t('shop.notfound.body')),
    ];
  } else if (!S.data && S.error) {
    content = [
      h('h2', { class: 'step-title' }, t('shop.title')),
      h('p', { class: 'notice notice--error', role: 'alert' }, S.error()),
      h('button', { type: 'button', class: 'button button--primary', onclick: load }, t('shop.retry')),
    ];
  } else if (!S.data) {
    content = [h('p', { class: 'loading' }, t('app.loading'))];
  } else {
    content = viewShop(S.data);
  }
  keepFocus(() => app.replaceChildren(...content.flat(Infinity).filter((c) => c != null && c !== false)));
  app.setAttribute('aria-busy', String(S.loading));
}

function viewShop(data) {
  const items = data.items || [];
  const total = data.total || 0;
  const filtered = FILTERS.some((k) => S.query[k]) || S.query.q;
  return [
    h('p', { class: 'shop-intro' }, t('shop.intro')),
    viewControls(data),
    h(
      'section',
      { class: 'shop-results', id: 'results', 'aria-labelledby': 'results-title' },
      h('h2', { class: 'shop-count', id: 'results-title', tabindex: '-1' },
        total === 1 ? t('shop.count.one') : t('shop.count', { n: total })),
      S.error ? h('p', { class: 'notice notice--error', role: 'alert' }, S.error()) : null,
      items.length
        ? h('ul', { class: 'shop-grid', id: 'shop-grid' }, items.map((l) => h('li', {}, card(l))))
        : h('div', { class: 'shop-empty', id: 'shop-empty' },
            h('p', {}, filtered ? t('shop.none') : t('shop.empty')),
            filtered ? h('button', { type: 'button', class: 'button button--secondary', onclick: clearAll }, t('shop.clear')) : null),
      pager(data),
    ),
  ];
}

function facetOptions(list, current, label, all) {
  const values = Array.isArray(list) ? [...list] : [];
  if (current && !values.some((f) => f.value === current)) values.push({ value: current, count: 0 });
  return [
    h('option', { value: '', selected: !current }, all),
    values.map((f) => h('option', { value: f.value, selected: f.value === current }, `${label(f.value)} (${f.count})`)),
  ];
}

function select(id, labelText, name, options, onchange) {
  return h(
    'div',
    { class: 'field shop-filter' },
    h('label', { for: id }, labelText),
    h('select', { id, name, onchange: (e) => onchange(e.target.value) }, options),
  );
}

function viewControls(data) {
  const f = data.facets || {};
  const grades = Array.isArray(f.grades)
    ? [...f.grades].sort((a, b) => GRADES.indexOf(a.value) - GRADES.indexOf(b.value))
    : [];
  const active = FILTERS.some((k) => S.query[k]) || S.query.q || S.query.sort !== 'newest';
  return h(
    'div',
    { class: 'shop-controls' },
    h(
      'form',
      {
        class: 'shop-search', role: 'search', novalidate: true,
        onsubmit: (e) => (e.preventDefault(), go({ q: S.searchInput.trim().slice(0, SEARCH_MAX) })),
      },
      h('label', { for: 'shop-q', class: 'visually-hidden' }, t('shop.search')),
      h('input', {
        type: 'search', id: 'shop-q', name: 'q', maxlength: SEARCH_MAX, autocomplete: 'off', enterkeyhint: 'search',
        placeholder: t('shop.search.placeholder'), value: S.searchInput, oninput: (e) => (S.searchInput = e.target.value),
      }),
      h('button', { type: 'submit', class: 'shop-search-go', id: 'shop-search-go' }, t('shop.search.go')),
    ),
    h(
      'div',
      { class: 'shop-filters', role: 'group', 'aria-label': t('shop.filters') },
      select('filter-grade', t('shop.filter.grade'), 'grade',
        facetOptions(grades, S.query.grade, (v) => word('grade', v), t('shop.filter.grade.all')), (v) => go({ grade: v }, { focus: 'filter-grade' })),
      select('filter-variant', t('shop.filter.variant'), 'variant',
        facetOptions(f.variants, S.query.variant, (v) => v, t('shop.filter.all')), (v) => go({ variant: v }, { focus: 'filter-variant' })),
      select('filter-category', t('shop.filter.category'), 'category',
        facetOptions(f.categories, S.query.category, (v) => v, t('shop.filter.all')), (v) => go({ category: v }, { focus: 'filter-category' })),
      select('sort', t('shop.sort'), 'sort',
        SORTS.map((s) => h('option', { value: s, selected: S.query.sort === s }, t(`shop.sort.${s}`))), (v) => go({ sort: v }, { focus: 'sort' })),
    ),
    active ? h('button', { type: 'button', class: 'button button--link shop-clear', id: 'shop-clear', onclick: clearAll }, t('shop.clear')) : null,
  );
}

function clearAll() {
  S.searchInput = '';
  go({ grade: '', variant: '', category: '', q: '', sort: 'newest' });
}

function percentOff(price, original) {
  if (!(original > 0) || !(price < original)) return 0;
  return Math.floor(((original - price) / original) * 100);
}

function card(l) {
  const cur = l.currency || S.merchant?.currency;
  const off = percentOff(l.price, l.original_price);
  const id = `listing-${l.id}`;
  const href = `/shop/${encodeURIComponent(slug)}/items/${encodeURIComponent(l.id)}`;
  const photo = (l.photos || [])[0];
  return h(
    'article',
    { class: 'shop-card', id, 'aria-labelledby': `${id}-title` },
    photo
      ? h('a', { href, tabindex: '-1', 'aria-hidden': 'true' }, h('img', {
        class: 'shop-card-photo', src: photo.url.replace(/-\d+\.jpg$/, `-${Math.min(400, photo.width)}.jpg`),
        alt: '', width: Math.min(400, photo.width), height: Math.round((Math.min(400, photo.width) * photo.height) / photo.width), loading: 'lazy',
      }))
      : null,
    h('div', { class: 'shop-card-top' },
      h('span', { class: `grade grade--${l.grade}` }, h('span', { class: 'visually-hidden' }, `${t('shop.condition')}: `), word('grade', l.grade)),
      l.category ? h('span', { class: 'shop-category' }, l.category) : null),
    h('h3', { class: 'shop-card-title', id: `${id}-title` }, h('a', { href, class: 'shop-card-link' }, l.title)),
    l.variant ? h('p', { class: 'variant' }, l.variant) : null,
    l.condition_note ? h('p', { class: 'shop-note' }, h('span', { class: 'visually-hidden' }, `${t('shop.note')}: `), l.condition_note) : null,
    h(
      'p',
      { class: 'shop-price' },
      h('span', { class: 'visually-hidden' }, `${t('shop.price')}: `),
      h('strong', { class: 'price-now' }, money(l.price, cur)),
      l.original_price > l.price
        ? [' ', h('s', { class: 'price-was' }, h('span', { class: 'visually-hidden' }, `${t('shop.original')}: `), money(l.original_price, cur))]
        : null,
      off > 0 ? [' ', h('span', { class: 'price-off' }, t('shop.off', { percent: off }))] : null,
    ),
    l.held_until && Date.parse(l.held_until) > Date.now() ? h('p', { class: 'shop-held' }, t('shop.held')) : null,
  );
}

function pager(data) {
  const per = data.per_page || 24;
  const pages = Math.max(1, Math.ceil((data.total || 0) / per));
  if (pages <= 1) return null;
  const page = data.page || S.query.page;
  const link = (p, key, rel) =>
    p < 1 || p > pages
      ? h('span', { class: 'pager-link pager-link--off', 'aria-disabled': 'true' }, t(key))
      : h('a', {
          class: 'pager-link', href: hrefFor({ ...S.query, page: p }), rel, id: `page-${key.split('.').pop()}`,
          onclick: (e) => {
            if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
            e.preventDefault();
            go({ page: p });
          },
        }, t(key));
  return h(
    'nav',
    { class: 'shop-pager', 'aria-label': t('shop.pages') },
    link(page - 1, 'shop.prev', 'prev'),
    h('p', { class: 'pager-where' }, t('shop.page', { page, pages })),
    link(page + 1, 'shop.next', 'next'),
  );
}

// ---------------------------------------------------------------- start

window.addEventListener('popstate', () => {
  S.query = readQuery();
  S.searchInput = S.query.q;
  load();
});
window.addEventListener('hashchange', () => {
  S.targetSought = false;
  document.querySelector('.shop-card--target')?.classList.remove('shop-card--target');
  showTarget();
});

mountLangToggle(document.getElementById('lang-toggle'));
translateStatic();
onLangChange(() => render());
render();
if (slug && /^[A-Za-z0-9_-]+$/.test(slug)) {
  load();
} else {
  S.notFound = true;
  S.loading = false;
  render();
}
