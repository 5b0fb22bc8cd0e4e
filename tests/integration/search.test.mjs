// The console's search over returns: GET /api/v1/merchant/returns?q= (merchant session) and
// GET /api/v1/merchants/{merchant}/returns?q= (merchant key). A merchant finds its returns by part
// of an RMA, the customer's name in kanji or kana, the customer's e-mail, the order number, part of
// a SKU and a Japanese product name; never another merchant's; newest first in keyset pages.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  JP_ADDRESS, admin, adminOk, api, assertProblem, assertStatus, eventually, jpOrder, merchantReturns,
  merchantSession, newMerchant, putOrder, returnFor, searchable, sql, suffix,
} from './lib.mjs';

let A;
let B;
let aS;
let bS;
let kanji; // A's return for 山田 太郎's T-shirt
let kana; // A's return for やまだ はなこ's linen dress
let other; // B's return: the same customer name and product as `kanji`
const paged = []; // A's returns of one product, oldest first
const tag = suffix(2).toUpperCase();
const PAGED_NAME = `ページング用シャツ${tag}`;

const one = (line) => [{ line_id: line, quantity: 1, reason: 'too_small', resolution: 'refund' }];

/** An order body of jpOrder's with this customer, e-mail and first line's name and SKU. */
function order({ name, email, product, sku }) {
  const base = jpOrder();
  return {
    email,
    shipping_address: { ...JP_ADDRESS, name },
    lines: [{ ...base.lines[0], name: product ?? base.lines[0].name, sku: sku ?? base.lines[0].sku },
      ...base.lines.slice(1)],
  };
}

const search = (q, more = {}, session = aS) => merchantReturns(session, { q, ...more });

/** Searches and asserts 200; returns the RMAs found, in the answer's order. */
async function found(q, more, session) {
  const res = await search(q, more, session);
  assertStatus(res, 200);
  return res.json.items.map((x) => x.rma);
}

before(async () => {
  A = newMerchant({ currency: 'JPY' });
  B = newMerchant({ currency: 'JPY' });
  aS = await merchantSession(A);
  bS = await merchantSession(B);
  kanji = await returnFor(A, one('1'), {
    order: order({ name: '山田 太郎', email: `Taro.${tag}@Example.JP` }) });
  kana = await returnFor(A, one('1'), {
    order: order({ name: 'やまだ はなこ', email: `hanako-${tag}@example.jp`, product: 'リネンワンピース',
      sku: `LIN-DRS-${tag}` }) });
  other = await returnFor(B, one('1'), {
    order: order({ name: '山田 太郎', email: `Taro.${tag}@Example.JP` }) });
  for (let i = 0; i < 5; i++) {
    paged.push(await returnFor(A, one('1'), {
      order: order({ name: `Buyer ${i}`, email: `buyer${i}-${tag}@example.com`, product: PAGED_NAME }) }));
  }
  // kaeru-worker writes their terms behind the creates.
  await searchable(aS, [kanji, kana, ...paged]);
  await searchable(bS, [other]);
});

test('part of an RMA finds its return: four characters from its middle, in lower case', async () => {
  const part = kanji.rma.replace('-', '').slice(3, 7).toLowerCase();
  assert.ok((await found(part)).includes(kanji.rma), `${part} of ${kanji.rma}`);
  assert.deepEqual(await found(kanji.rma.toLowerCase().replace('-', '')), [kanji.rma]);
  assert.deepEqual(await found(`KAERU:${kanji.rma}`), [kanji.rma], 'the label QR text');
});

test('the customer\'s name in kanji, with or without the space, and in kana as hiragana or katakana', async () => {
  assert.deepEqual(await found('山田太郎'), [kanji.rma]);
  assert.deepEqual(await found('太郎'), [kanji.rma]);
  assert.deepEqual(await found('山田　太郎'), [kanji.rma], 'with an ideographic space');
  assert.deepEqual(await found('はなこ'), [kana.rma]);
  assert.deepEqual(await found('ハナコ'), [kana.rma], 'katakana finds the hiragana name');
  assert.deepEqual(await found('ﾔﾏﾀﾞ'), [kana.rma], 'half-width katakana with its voicing mark');
  assert.deepEqual(await found('山田 花子'), []);
});

test('the customer\'s e-mail address, whole, in any case', async () => {
  const res = await search(`  taro.${tag}@example.jp `);
  assertStatus(res, 200);
  assert.deepEqual(res.json.items.map((x) => x.rma), [kanji.rma]);
  assert.equal(res.json.total, 1);
  assert.equal(res.json.next, null);
  assert.equal(res.json.items[0].email, `Taro.${tag}@Example.JP`);
  assert.equal(res.json.items[0].customer_name, '山田 太郎');
  assert.deepEqual(await found(`hanako-${tag}@example.jp`), [kana.rma]);
  assert.deepEqual(await found(`nobody-${tag}@example.jp`), []);
});

test('the order number, whole or in part', async () => {
  assert.deepEqual(await found(kana.order.orderNumber), [kana.rma]);
  assert.deepEqual(await found(`#${kana.order.orderNumber}`), [kana.rma]);
  const tail = kana.order.orderNumber.split('-')[1]; // six hex digits of this order alone
  assert.deepEqual(await found(tail), [kana.rma]);
});

test('a whole order number finds that order by its number; part of it finds every order that holds it', async () => {
  // A merchant of its own (the others' counts stay as the tests below expect). Two orders whose
  // numbers hold the same digits: the shorter typed whole is its own order.
  const C = newMerchant({ currency: 'JPY' });
  const cS = await merchantSession(C);
  const base = `77${Date.now() % 1e8}`;
  const short = await returnFor(C, one('1'), { order: { order_number: base } });
  const long = await returnFor(C, one('1'), { order: { order_number: `${base}9` } });
  await searchable(cS, [short, long]);
  assert.deepEqual(await found(base, {}, cS), [short.rma], 'the order typed whole');
  assert.deepEqual(await found(`  ${base}9 `, {}, cS), [long.rma]);
  assert.deepEqual(await found(base.slice(0, -1), {}, cS), [long.rma, short.rma], 'part of a number: both, newest first');
  // An RMA typed whole, in the scanner's spellings, is its return.
  assert.deepEqual(await found(short.rma.toLowerCase().replace('-', ''), {}, cS), [short.rma]);
  assert.deepEqual(await found(`KAERU:${long.rma}`, {}, cS), [long.rma]);
  // The filters apply to the order's returns: none received, so nothing.
  assert.deepEqual(await found(base, { status: 'received' }, cS), []);
  // Another merchant's order of that number is not this merchant's, nor this one's RMA its.
  const elsewhere = await returnFor(newMerchant({ currency: 'JPY' }), one('1'), { order: { order_number: base } });
  assert.deepEqual(await found(base, {}, cS), [short.rma]);
  assert.deepEqual(await found(elsewhere.rma, {}, cS), []);
});

test('part of a SKU, and a Japanese product name by any two of its characters', async () => {
  assert.deepEqual(await found(`drs-${tag.toLowerCase()}`), [kana.rma]);
  assert.deepEqual(await found('ワンピース'), [kana.rma]);
  assert.deepEqual(await found('ンピ'), [kana.rma]);
  assert.deepEqual(await found('ﾘﾈﾝ'), [kana.rma], 'half-width katakana');
  assert.deepEqual(await found('Tシャツ'), [kanji.rma], 'a name of katakana and a Latin letter');
});

test('another merchant\'s returns are never found, by its session or its key', async () => {
  // B's return has A's customer name, e-mail and product: A finds only its own, and B only B's.
  assert.deepEqual(await found('山田太郎'), [kanji.rma]);
  assert.deepEqual(await found('山田太郎', {}, bS), [other.rma]);
  assert.deepEqual(await found(`taro.${tag}@example.jp`, {}, bS), [other.rma]);
  for (const q of [kanji.rma, kana.order.orderNumber, 'ワンピース', `LIN-DRS-${tag}`]) {
    const res = await search(q, {}, bS);
    assertStatus(res, 200);
    assert.deepEqual(res.json.items, [], `B searching ${q}`);
    assert.equal(res.json.total, 0);
    assert.ok(!res.text.includes(kanji.rma) && !res.text.includes('はなこ'), res.text);
  }
  const byKey = (m, slug, q) => api('GET', `/api/v1/merchants/${slug}/returns?q=${encodeURIComponent(q)}`,
    { token: m.key });
  let res = await byKey(A, A.slug, 'ハナコ');
  assertStatus(res, 200);
  assert.deepEqual(res.json.items.map((x) => x.rma), [kana.rma]);
  assert.equal(res.json.items[0].order_number, kana.order.orderNumber);
  res = await byKey(B, B.slug, kana.rma);
  assertStatus(res, 200);
  assert.deepEqual(res.json.items, []);
  assertProblem(await byKey(B, A.slug, kana.rma), 404);
});

test('a bad q is a 422 naming q; page, after and limit are checked too', async () => {
  for (const q of ['x'.repeat(255), 'ア'.repeat(255), '---', '！？「」', '@']) {
    assertProblem(await search(q), 422, 'q');
  }
  assertProblem(await api('GET', `/api/v1/merchants/${A.slug}/returns?q=${encodeURIComponent('・・・')}`,
    { token: A.key }), 422, 'q');
  assertProblem(await search('太郎', { after: 'abc' }), 422, 'after');
  assertProblem(await search('太郎', { limit: 51 }), 422, 'limit');
  assertProblem(await search('太郎', { limit: 0 }), 422, 'limit');
  assertProblem(await search('太郎', { page: 2 }), 422, 'page');
  // 254 characters is not too long, and a blank q lists every return as before.
  assertStatus(await search('ア'.repeat(254)), 200);
  const all = await search('   ');
  assertStatus(all, 200);
  assert.equal(all.json.total, 7);
});

test('keyset pages: newest first, each return once, next until the last page', async () => {
  const want = paged.map((r) => r.rma).reverse();
  const seen = [];
  let after;
  let pages = 0;
  for (;;) {
    const res = await search(PAGED_NAME, { limit: 2, after });
    assertStatus(res, 200);
    pages++;
    assert.ok(res.json.items.length <= 2);
    if (pages === 1) {
      assert.equal(res.json.total, 5);
      assert.equal(res.json.page, 1);
    }
    seen.push(...res.json.items.map((x) => x.rma));
    if (res.json.next === null) break;
    assert.equal(typeof res.json.next, 'string');
    after = res.json.next;
    assert.ok(pages < 10, 'the pages end');
  }
  assert.equal(pages, 3);
  assert.deepEqual(seen, want);
  // A cursor from the middle goes on below it.
  const first = await search(PAGED_NAME, { limit: 1 });
  const rest = await found(PAGED_NAME, { after: first.json.next });
  assert.deepEqual(rest, want.slice(1));
});

test('a status narrows a search', async () => {
  const canceled = paged[1];
  assertStatus(await api('POST', `/api/v1/returns/${canceled.rma}/cancel`, { token: canceled.order.token }), 200);
  const res = await search(PAGED_NAME, { status: 'canceled' });
  assertStatus(res, 200);
  assert.deepEqual(res.json.items.map((x) => x.rma), [canceled.rma]);
  assert.equal(res.json.items[0].status, 'canceled');
  assert.equal(res.json.total, 1);
});

test('an order replaced with a new customer name is found by the new name', async () => {
  const target = paged[4];
  const body = { ...target.order.body, shipping_address: { ...target.order.body.shipping_address, name: '佐藤 次郎' } };
  assertStatus(await putOrder(A, target.order.orderNumber, body), 200);
  await eventually(async () => (await found('佐藤次郎')).length > 0, 'the new name found');
  assert.deepEqual(await found('佐藤次郎'), [target.rma]);
  assert.deepEqual(await found('Buyer 4'), []);
});

test('kaeru-admin search rebuild writes the terms of returns that have none', async () => {
  const [[id]] = sql(`SELECT id FROM merchants WHERE slug = '${A.slug}'`);
  const terms = () => sql(`SELECT COUNT(*) FROM return_search WHERE merchant_id = ${Number(id)}`)[0][0];
  const made = terms();
  assert.ok(Number(made) > 7 * 10, `A's returns have their terms (${made})`);
  // One term (「ング」 of PAGED_NAME): its count is the total, read page by page.
  const total = async (q) => {
    const res = await search(q, { limit: 2 });
    assertStatus(res, 200);
    return res.json.total;
  };
  assert.equal(await total('ング'), 5);
  sql(`DELETE FROM return_search WHERE merchant_id = ${Number(id)}`);
  assert.deepEqual(await found('ワンピース'), [], 'without terms nothing is found');
  assert.equal(await total('ング'), 0);
  const out = adminOk(['search', 'rebuild', '--merchant', A.slug]);
  assert.match(out, /7 returns/);
  assert.equal(terms(), made, 'the same terms as when the returns were made');
  assert.deepEqual(await found('ワンピース'), [kana.rma]);
  assert.deepEqual(await found('山田太郎'), [kanji.rma]);
  assert.deepEqual(await found('山田太郎', {}, bS), [other.rma], 'B\'s terms are untouched');
  assert.equal(await total('ング'), 5);
  adminOk(['search', 'rebuild', '--merchant', A.slug]);
  assert.equal(terms(), made, 'run again: the same terms');
  assert.equal(await total('ング'), 5, 'run again: counted once');
  const bad = admin(['search', 'rebuild', '--merchant', `no-such-${tag}`]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /merchant not found/);
});

test('a search of one term counts its returns as they come and go, whatever the page', async () => {
  // One term, 「小椿」, in three customers' names of a merchant of its own: the total of each
  // page is the term's count, so a count that missed a new return, or kept one whose name
  // changed, shows a total that disagrees with the pages.
  const C = newMerchant({ currency: 'JPY' });
  const cS = await merchantSession(C);
  const made = [];
  for (const [i, given] of ['一子', '二子', '三子'].entries()) {
    made.push(await returnFor(C, one('1'), { order: order({ name: `小椿 ${given}`, email: `k${i}-${tag}@example.jp` }) }));
  }
  await searchable(cS, made);
  /** Every page of q by `limit`: {rmas, totals} (each page's total). */
  const walk = async (q, more = {}) => {
    const rmas = [];
    const totals = [];
    let after;
    for (let pages = 0; pages < 10; pages++) {
      const res = await search(q, { limit: 1, after, ...more }, cS);
      assertStatus(res, 200);
      rmas.push(...res.json.items.map((x) => x.rma));
      totals.push(res.json.total);
      if (res.json.next === null) return { rmas, totals };
      after = res.json.next;
    }
    assert.fail(`${q}: the pages never end`);
  };
  const newestFirst = (list) => list.map((r) => r.rma).reverse();
  assert.deepEqual(await walk('小椿'), { rmas: newestFirst(made), totals: [3, 3, 3] });
  assert.deepEqual(await walk('二子'), { rmas: [made[1].rma], totals: [1] });

  // A fourth, made now, is counted as soon as kaeru-worker wrote its terms.
  made.push(await returnFor(C, one('1'), { order: order({ name: '小椿 四子', email: `k3-${tag}@example.jp` }) }));
  await searchable(cS, made.slice(3));
  assert.deepEqual(await walk('小椿'), { rmas: newestFirst(made), totals: [4, 4, 4, 4] });

  // The second customer's name changes: her return leaves 「小椿」 and 「二子」 and joins 「大楠」.
  const renamed = made[1];
  assertStatus(await putOrder(C, renamed.order.orderNumber, { ...renamed.order.body,
    shipping_address: { ...renamed.order.body.shipping_address, name: '大楠 二葉' } }), 200);
  await eventually(async () => (await walk('大楠')).rmas.length > 0, 'the new name found');
  const kept = made.filter((r) => r !== renamed);
  assert.deepEqual(await walk('小椿'), { rmas: newestFirst(kept), totals: [3, 3, 3] });
  assert.deepEqual(await walk('大楠'), { rmas: [renamed.rma], totals: [1] });
  assert.deepEqual(await walk('二子'), { rmas: [], totals: [0] });

  // A canceled return keeps its terms; a status narrows by counting what matches.
  assertStatus(await api('POST', `/api/v1/returns/${kept[0].rma}/cancel`, { token: kept[0].order.token }), 200);
  assert.deepEqual(await walk('小椿'), { rmas: newestFirst(kept), totals: [3, 3, 3] });
  assert.deepEqual(await walk('小椿', { status: 'canceled' }), { rmas: [kept[0].rma], totals: [1] });
  assert.deepEqual(await walk('小椿', { status: 'label_issued' }),
    { rmas: newestFirst(kept.slice(1)), totals: [2, 2] });

  // A rebuild writes nothing new for returns whose terms are already there: the same totals.
  assert.match(adminOk(['search', 'rebuild', '--merchant', C.slug]), /4 returns/);
  assert.deepEqual(await walk('小椿'), { rmas: newestFirst(kept), totals: [3, 3, 3] });
});

test('a new return is found by the console\'s search within seconds, and by its customer\'s new name only', async () => {
  // kaeru-worker writes the terms behind the create, and again behind the order's change.
  const C = newMerchant({ currency: 'JPY' });
  const cS = await merchantSession(C);
  const ret = await returnFor(C, one('1'), { order: order({ name: `梅園 ${tag}`, email: `ume-${tag}@example.jp` }) });
  const took = await searchable(cS, [ret], { timeoutMs: 5000 });
  assert.deepEqual(await found('梅園', {}, cS), [ret.rma], `found by the name after ${took} ms`);
  assertStatus(await putOrder(C, ret.order.orderNumber, { ...ret.order.body,
    shipping_address: { ...ret.order.body.shipping_address, name: `桐谷 ${tag}` } }), 200);
  await eventually(async () => (await found('桐谷', {}, cS)).length > 0, 'the new name found', { timeoutMs: 5000 });
  assert.deepEqual(await found('桐谷', {}, cS), [ret.rma]);
  assert.deepEqual(await found('梅園', {}, cS), [], 'the old name no longer finds it');
  // Whatever else it is found by stays: its product's name.
  assert.deepEqual(await found('Tシャツ', {}, cS), [ret.rma]);
});
