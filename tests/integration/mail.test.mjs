// Customer e-mail: a new return sends "return started" through a real SMTP server (the stack's
// mail sink, which writes var/mail/*.eml), in the language used in the portal, as MIME with text
// and HTML alternatives and the return's label attached. The messages are parsed by Python's
// email package, a MIME parser independent of the one that wrote them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import {
  BASE, adminOk, api, assertProblem, clerkOf, getReturn, inspectOk, newMerchant, newWarehouse, openOrder, pause, postReturn,
  scanOk, sql, sqlString, trackingKey,
} from './lib.mjs';

const MAIL = join(process.env.KAERU_STACK, 'mail');

let wh;
before(() => { wh = newWarehouse(); });

const PARSE = `
import base64, email, json, sys
from email import policy
msg = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=policy.default)
out = {'subject': str(msg['subject']), 'from': str(msg['from']), 'to': str(msg['to']),
       'raw_subject': msg.get('subject', '').__class__.__name__, 'defects': [str(d) for d in msg.defects],
       'content_type': msg.get_content_type(), 'parts': []}
for part in msg.walk():
    if part.is_multipart():
        out['parts'].append({'type': part.get_content_type()})
        continue
    entry = {'type': part.get_content_type(), 'filename': part.get_filename(),
             'charset': part.get_content_charset(), 'defects': [str(d) for d in part.defects]}
    if part.get_content_maintype() == 'text':
        entry['text'] = part.get_content()
    else:
        entry['b64'] = base64.b64encode(part.get_payload(decode=True)).decode()
    out['parts'].append(entry)
print(json.dumps(out))
`;

function parse(file) {
  const r = spawnSync('/usr/bin/python3', ['-c', PARSE, file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** The messages whose raw text names rma, once the sink has at least `count`, oldest first. */
async function mailFor(rma, ms = 20000, count = 1) {
  const end = Date.now() + ms;
  for (;;) {
    const files = readdirSync(MAIL).filter((f) => f.endsWith('.eml') && !f.startsWith('.')).sort();
    const hits = files.filter((f) => readFileSync(join(MAIL, f), 'latin1').includes(rma));
    if (hits.length >= count) return hits.map((f) => join(MAIL, f));
    if (Date.now() > end) throw new Error(`no e-mail for ${rma} in ${MAIL}`);
    await pause(200);
  }
}

const item = { line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' };

for (const [language, currency, subjectRe, byRe] of [
  ['ja', 'JPY', /^返品を受け付けました（(.+)）— (.+)$/, /までに発送してください/],
  ['en', 'JPY', /^Your return (.+) is started — (.+)$/, /send it by \d{4}-\d\d-\d\d/],
]) {
  test(`a new return e-mails the customer in ${language}, with the tracking link and the label`, async () => {
    const m = newMerchant({ warehouse: wh, currency });
    const o = await openOrder(m);
    const res = await postReturn(o.token, [item], { body: { items: [item], language } });
    assert.equal(res.status, 201, res.text);
    const ret = res.json;
    const files = await mailFor(ret.rma);
    await pause(500);
    assert.equal((await mailFor(ret.rma)).length, 1, 'one message per return');
    const mail = parse(files[0]);
    assert.deepEqual(mail.defects, []);
    const s = subjectRe.exec(mail.subject);
    assert.ok(s, `subject decodes: ${mail.subject}`);
    assert.equal(s[1], ret.rma);
    assert.equal(s[2], m.name);
    assert.ok(mail.from.startsWith(m.name), `from the merchant's name: ${mail.from}`);
    assert.match(mail.to, new RegExp(o.body.email.replace('.', '\\.')));
    assert.equal(mail.content_type, 'multipart/mixed');
    const types = mail.parts.map((p) => p.type);
    assert.deepEqual(types, ['multipart/mixed', 'multipart/alternative', 'text/plain', 'text/html', 'application/pdf']);
    const [text, html, pdf] = [mail.parts[2], mail.parts[3], mail.parts[4]];
    for (const p of mail.parts) assert.deepEqual(p.defects ?? [], []);
    assert.equal(text.charset, 'utf-8');
    assert.match(text.text, byRe);
    assert.ok(text.text.includes(o.body.shipping_address.name), 'greets the customer by name');
    assert.ok(!/<img/i.test(html.text), 'no images, no tracking pixels');
    // The link opens this return's tracking page, with its key.
    const link = /(https?:\/\/\S+\/r\/\S+)/.exec(text.text)[1];
    assert.ok(html.text.includes(link.replace(/&/g, '&amp;')), 'the HTML part has the same link');
    const url = new URL(link);
    assert.equal(url.origin, new URL(BASE).origin);
    assert.equal(url.pathname, `/r/${ret.rma}`);
    assert.equal(url.searchParams.get('k'), trackingKey(ret));
    const page = await api('GET', url.pathname + url.search);
    assert.equal(page.status, 200);
    assertStatus200(await getReturn(ret.rma, { k: url.searchParams.get('k') }));
    // The attachment is the return's label.
    assert.equal(pdf.filename, `return-${ret.rma}.pdf`);
    const label = await api('GET', `/api/v1/returns/${ret.rma}/label.pdf?k=${trackingKey(ret)}`);
    assert.equal(label.status, 200);
    assert.equal(Buffer.from(pdf.b64, 'base64').equals(label.raw), true, 'the attached PDF is the label');
  });
}

function assertStatus200(res) { assert.equal(res.status, 200, res.text); }

test('the portal language is checked', async () => {
  const m = newMerchant({ warehouse: wh });
  const o = await openOrder(m);
  assertProblem(await postReturn(o.token, [item], { body: { items: [item], language: 'fr' } }), 422, 'language');
});

test('each later step e-mails too: received, resolved with the money, refund paid; canceled', async () => {
  const m = newMerchant({ warehouse: wh, currency: 'JPY' });
  const o = await openOrder(m);
  const ret = (await postReturn(o.token, [item], { body: { items: [item], language: 'en' } })).json;
  const clerk = await clerkOf(m);
  await scanOk(clerk, ret.rma);
  await inspectOk(clerk, ret.rma, ret.items[0].item_id, { received_quantity: 1, grade: 'like_new', disposition: 'restock' });
  const ack = await api('POST', `/api/v1/merchants/${m.slug}/returns/${ret.rma}/refund-paid`,
    { token: m.key, body: { amount: 4900, reference: 'PAY-1' } });
  assert.equal(ack.status, 200, ack.text);
  const mails = (await mailFor(ret.rma, 20000, 4)).map(parse);
  const subjects = mails.map((x) => x.subject).sort();
  assert.deepEqual(subjects, [
    `Your parcel for return ${ret.rma} arrived — ${m.name}`,
    `Your refund for return ${ret.rma} is paid — ${m.name}`,
    `Your return ${ret.rma} is settled — ${m.name}`,
    `Your return ${ret.rma} is started — ${m.name}`,
  ]);
  const text = (x) => x.parts.find((p) => p.type === 'text/plain').text;
  const settled = mails.find((x) => x.subject.includes('settled'));
  assert.match(text(settled), /What you get: a refund of JPY 4,900/);
  assert.match(text(mails.find((x) => x.subject.includes('paid'))), /Amount: JPY 4,900/);
  for (const x of mails.filter((y) => !y.subject.includes('started'))) {
    assert.ok(!x.parts.some((p) => p.type === 'application/pdf'), 'only the first carries the label');
  }

  const o2 = await openOrder(m);
  const r2 = (await postReturn(o2.token, [item], { body: { items: [item], language: 'ja' } })).json;
  assert.equal((await api('POST', `/api/v1/returns/${r2.rma}/cancel`, { body: {}, token: o2.token })).status, 200);
  const two = (await mailFor(r2.rma, 20000, 2)).map(parse).map((x) => x.subject).sort();
  assert.deepEqual(two, [`返品を取り消しました（${r2.rma}）— ${m.name}`, `返品を受け付けました（${r2.rma}）— ${m.name}`]);
});

test('a label about to expire unscanned brings one reminder with its last day; a later one brings none yet', async () => {
  const m = newMerchant({ warehouse: wh, currency: 'JPY' });
  const started = async () => {
    const res = await postReturn((await openOrder(m)).token, [item], { body: { items: [item], language: 'en' } });
    assert.equal(res.status, 201, res.text);
    return res.json;
  };
  const a = await started();
  const b = await started();
  await mailFor(a.rma);
  await mailFor(b.rma);
  // Two days left for a, ten for b (a UTC merchant: the last day is the UTC date).
  sql(`UPDATE returns SET expires_at = UTC_TIMESTAMP() + INTERVAL 2 DAY WHERE rma = ${sqlString(a.rma)}`);
  sql(`UPDATE returns SET expires_at = UTC_TIMESTAMP() + INTERVAL 10 DAY WHERE rma = ${sqlString(b.rma)}`);
  const [[lastDay]] = sql(`SELECT DATE(expires_at) FROM returns WHERE rma = ${sqlString(a.rma)}`);
  assert.match(adminOk(['maintenance']), /queued \d+ label reminders/);
  adminOk(['maintenance']); // a second run (or host) queues nothing new
  const files = await mailFor(a.rma, 20000, 2);
  await pause(1500);
  const reminders = (await mailFor(a.rma, 20000, 2)).map(parse).filter((x) => /expires soon/.test(x.subject));
  assert.equal(reminders.length, 1, `one reminder among ${files.length} messages`);
  const r = reminders[0];
  assert.deepEqual(r.defects, []);
  assert.match(r.subject, new RegExp(`^Your return label ${a.rma} expires soon — `));
  const text = r.parts.find((p) => p.type === 'text/plain').text;
  assert.match(text, new RegExp(`valid until ${lastDay}`), text);
  assert.ok(text.includes(`/r/${a.rma}?k=${trackingKey(a)}`), 'the tracking link');
  const forB = (await mailFor(b.rma)).map(parse).filter((x) => /expires soon/.test(x.subject));
  assert.equal(forB.length, 0, 'ten days left: no reminder yet');
  // Once scanned, no reminder is queued any more.
  const [[queued]] = sql(`SELECT COUNT(*) FROM emails e JOIN returns r ON r.id = e.return_id
    WHERE r.rma IN (${sqlString(a.rma)}, ${sqlString(b.rma)}) AND e.kind = 'label_expiring'`);
  assert.equal(queued, '1');
});

test('the merchant\'s reply-to address answers the e-mail; without one there is none', async () => {
  const m = newMerchant({ warehouse: wh, currency: 'JPY' });
  assert.match(adminOk(['merchant', 'policy', '--slug', m.slug, '--reply-to', 'support@shop.example']), /merchant/);
  const plain = newMerchant({ warehouse: wh, currency: 'JPY' });
  const headers = [];
  for (const merchant of [m, plain]) {
    const res = await postReturn((await openOrder(merchant)).token, [item], { body: { items: [item], language: 'en' } });
    assert.equal(res.status, 201, res.text);
    const [file] = await mailFor(res.json.rma);
    const r = spawnSync('/usr/bin/python3', ['-c', `
import email, sys
from email import policy
m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=policy.default)
print(m.get('reply-to', ''))`, file], { encoding: 'utf8' });
    headers.push(r.stdout.trim());
  }
  assert.equal(headers[0], `${m.name} <support@shop.example>`);
  assert.equal(headers[1], '', 'no Reply-To without an address');
  const bad = spawnSync(process.env.KAERU_ADMIN, ['merchant', 'policy', '--slug', m.slug, '--reply-to', 'a@b\r\nBcc: x@y'], { encoding: 'utf8' });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--reply-to must be an e-mail address/);
});
