// E-mail addresses compare by one rule (validate/check.c's email_key: trimmed, ASCII letters
// lower-cased) wherever kaeru compares them: the order lookup, and the console's search, which
// reads the key stored at ingest. The database must not keep a key of its own making.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReturn, lookupOk, merchantReturns, newMerchant, newOrder, ownerOf } from './lib.mjs';

test('an order found by its e-mail at lookup is found by the same e-mail in the console search', async () => {
  const m = newMerchant({ currency: 'JPY' });
  // Non-ASCII capitals: MariaDB's LOWER() lower-cases É, kaeru's rule does not.
  const { orderNumber } = await newOrder(m, { email: 'ÉMILE.Dupont@Example.FR' });
  const found = await lookupOk(m.slug, orderNumber, 'ÉMILE.dupont@example.fr');
  const ret = await createReturn(found.token, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
  const owner = await ownerOf(m);
  for (const q of ['ÉMILE.dupont@example.fr', ' ÉMILE.DUPONT@EXAMPLE.FR']) {
    const res = await merchantReturns(owner, { q });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json.items.map((r) => r.rma), [ret.rma], `search ${JSON.stringify(q)}`);
  }
});
