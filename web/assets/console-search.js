// Merchant console, the returns search: what the search box finds — part of an RMA, an order
// number or a SKU, a customer's name (kanji or kana) or whole e-mail address, a product name —
// comes newest first in keyset pages (GET /merchant/returns?q=&status=&after=): "Older" follows the
// answer's next, "Newer" goes back the way it came (to the newest after a reload). The page's
// cursor lives in the address (&after=) beside q, so a reload shows the same page.
import { t } from './i18n.js';
import { h } from './common.js';

const P = { after: null, back: [] }; // the cursor of the page shown, and of the pages before it

/** Starts the search over from the newest, or at the cursor the address named. */
export function searchReset(after = null) {
  P.after = after || null;
  P.back = [];
}

/** The cursor of the page shown (null for the newest). */
export function searchAfter() {
  return P.after;
}

/** The API path of the search page shown, for filter {status, q}. */
export function searchPath(filter) {
  const q = new URLSearchParams();
  if (filter.status) q.set('status', filter.status);
  q.set('q', filter.q);
  if (P.after) q.set('after', P.after);
  return `/merchant/returns?${q}`;
}

/** "3 returns found"; when there are too many to count, that the newest come first; a page
 * with none of them but older returns to look at says so. */
export function searchFound(data) {
  if (!data.items?.length) return data.next ? t('console.search.notyet') : t('console.returns.none');
  if (!Number.isInteger(data.total)) return t('console.search.many');
  return data.total === 1 ? t('console.returns.found.one') : t('console.returns.found', { n: data.total });
}

/** The words for a search the server refused (422 naming q: nothing in it to search for; the
 * box's maxlength keeps it short enough), or null for other failures. */
export function searchProblem(err) {
  const bad = err.status === 422 && (err.problem?.errors || []).some((e) => e.field === 'q');
  return bad ? t('console.search.nothing') : null;
}

/** Newer / Older under a search's rows; go() writes the address and loads the page. */
export function searchPager(data, go) {
  const move = (after, back) => {
    P.after = after;
    P.back = back;
    go();
  };
  const newer = () => {
    const back = [...P.back];
    move(back.pop() ?? null, back);
  };
  return h(
    'nav',
    { class: 'pager', 'aria-label': t('console.pages') },
    h('button', { type: 'button', class: 'chip', id: 'returns-prev', disabled: !P.after, onclick: newer }, t('console.search.newer')),
    h('p', { class: 'pager-where', id: 'returns-found' }, searchFound(data)),
    h('button', { type: 'button', class: 'chip', id: 'returns-next', disabled: !data.next,
      onclick: () => move(data.next, [...P.back, P.after]) }, t('console.search.older')),
  );
}
