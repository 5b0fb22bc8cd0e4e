// Photos are decoded by kaeru-photo, a process of its own per upload, never inside kaeru-fcgi: a
// hostile photo that would keep a decoder busy for minutes is refused with a problem, its
// decoder killed and reaped, nothing kept, and kaeru-fcgi serves on; the decoder holds none of
// kaeru-fcgi's sockets or settings; kaeru-fcgi maps no libvips.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import {
  ROOT, api, assertProblem, assertStatus, clerkOf, newMerchant, newWarehouse, pause, returnFor, scanOk,
  scratchDir, sql,
} from './lib.mjs';

const STACK = process.env.KAERU_STACK || join(ROOT, 'var');

let scratch;
before(() => { scratch = scratchDir(); });

function fcgiPid() {
  return Number(readFileSync(join(STACK, 'run', 'kaeru-fcgi.pid'), 'utf8').trim());
}

/** The pids of kaeru-photo processes whose parent is pid. */
function photoChildren(pid) {
  const found = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat;
    try { stat = readFileSync(`/proc/${d}/stat`, 'utf8'); } catch { continue; }
    // pid (comm) state ppid …
    const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
    if (m && m[1] === 'kaeru-photo' && Number(m[2]) === pid) found.push(Number(d));
  }
  return found;
}

/**
 * A progressive JPEG that takes minutes to decode: a 6000×6000 grey image (36 megapixels, under
 * kaeru's 40) whose DC scan is followed by `scans` AC scans, each of a few end-of-band runs
 * (EOBRUN) over all its 562,500 blocks. Every scan costs the decoder a pass over every block;
 * the file stays well under 1 MB. A known way to stall libjpeg (and browsers, once) with a
 * small file; nothing in its header is out of range.
 */
function scanBomb(side = 6000, scans = 10000) {
  const segment = (marker, data) => {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(data.length + 2);
    return Buffer.concat([Buffer.from([0xff, marker]), len, data]);
  };
  const bits = () => {
    const out = [];
    let acc = 0;
    let n = 0;
    return {
      put(value, count) {
        for (let i = count - 1; i >= 0; i--) {
          acc = (acc << 1) | ((value >> i) & 1);
          if (++n === 8) {
            out.push(acc);
            if (acc === 0xff) out.push(0); // byte stuffing
            acc = 0;
            n = 0;
          }
        }
      },
      end() {
        while (n) this.put(1, 1);
        return Buffer.from(out);
      },
    };
  };
  const blocks = Math.ceil(side / 8) ** 2;
  const sof = Buffer.alloc(6);
  sof.writeUInt8(8, 0);
  sof.writeUInt16BE(side, 1);
  sof.writeUInt16BE(side, 3);
  sof.writeUInt8(1, 5);
  const oneCode = (tableClass, symbol) => Buffer.from([tableClass, 1, ...Array(15).fill(0), symbol]);
  const dc = bits();
  for (let i = 0; i < blocks; i++) dc.put(0, 1); // every DC difference 0: code '0'
  const ac = bits();
  for (let left = blocks; left > 0; left -= 32767) {
    ac.put(0, 1); // EOB14: a run of 2^14 + the next 14 bits blocks
    ac.put(32767 - 16384, 14);
  }
  const acScan = Buffer.concat([segment(0xda, Buffer.from([1, 1, 0x00, 1, 63, 0x00])), ac.end()]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xdb, Buffer.concat([Buffer.from([0]), Buffer.alloc(64, 1)])),
    segment(0xc2, Buffer.concat([sof, Buffer.from([1, 0x11, 0])])),
    segment(0xc4, oneCode(0x00, 0x00)),
    segment(0xc4, oneCode(0x10, 0xe0)),
    segment(0xda, Buffer.from([1, 1, 0x00, 0, 0, 0x00])), dc.end(),
    ...Array(scans).fill(acScan),
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** A small ordinary JPEG of noise (distinct each time). */
function photo(width = 640, height = 480) {
  const path = join(scratch.dir, `p-${randomBytes(4).toString('hex')}.jpg`);
  execFileSync('vips', ['gaussnoise', path, String(width), String(height)]);
  return readFileSync(path);
}

/** A received return of one damaged item: {ret, clerk, itemId}. */
async function receivedItem() {
  const m = await newMerchant({ warehouse: newWarehouse() });
  const clerk = await clerkOf(m);
  const ret = await returnFor(m, [{ line_id: '1', quantity: 1, reason: 'damaged', resolution: 'refund' }]);
  await scanOk(clerk, ret.rma);
  return { ret, clerk, itemId: ret.items[0].item_id };
}

function upload(clerk, rma, itemId, bytes) {
  return clerk.api('POST', `/api/v1/returns/${rma}/items/${itemId}/photos`,
    { body: bytes, headers: { 'content-type': 'image/jpeg' } });
}

/** What /proc shows of a running kaeru-photo: its descriptors, limits and environment. */
function childView(pid) {
  const fds = readdirSync(`/proc/${pid}/fd`).map(Number).sort((a, b) => a - b);
  return {
    fds,
    stdio: fds.map((fd) => { try { return readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { return '?'; } }),
    limits: readFileSync(`/proc/${pid}/limits`, 'utf8'),
    environ: readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean),
  };
}

test('a JPEG that would take minutes to decode is refused, its decoder killed and reaped, nothing kept; kaeru-fcgi serves on', async () => {
  const { ret, clerk, itemId } = await receivedItem();
  const bomb = scanBomb();
  assert.ok(bomb.length < 1024 * 1024, `the bomb is small (${bomb.length} bytes)`);
  const hash = createHash('sha256').update(bomb).digest('hex');
  const fcgi = fcgiPid();
  const before = new Set(photoChildren(fcgi));

  const answer = upload(clerk, ret.rma, itemId, bomb);
  // While it decodes: a kaeru-photo of its own, holding only its pipes and stderr, once it has
  // bounded itself (the first thing it does).
  let child;
  let view;
  for (let i = 0; i < 200 && !/^Max cpu time\s+\d/m.test(view?.limits ?? ''); i++) {
    child ??= photoChildren(fcgi).find((p) => !before.has(p));
    if (child) {
      try { view = childView(child); } catch { /* it may be just starting */ }
    }
    await pause(20);
  }
  assert.ok(view, 'kaeru-fcgi runs a kaeru-photo for the upload');
  // kaeru-fcgi holds sockets (nginx's, MariaDB's); the decoder none: its pipes, the log, and
  // what libvips opens itself.
  assert.ok(childView(fcgi).stdio.some((l) => /^socket:/.test(l)), 'kaeru-fcgi holds sockets');
  assert.deepEqual(view.stdio.filter((l) => /^socket:/.test(l)), [], `no socket in the decoder: ${view.stdio.join(', ')}`);
  assert.deepEqual(view.fds.slice(0, 3), [0, 1, 2]);
  assert.match(view.stdio[0], /^pipe:/, 'stdin is a pipe');
  assert.match(view.stdio[1], /^pipe:/, 'stdout is a pipe');
  assert.deepEqual(view.stdio.slice(3).filter((l) => /kaeru|pipe:/.test(l)), [], `nothing of kaeru-fcgi's past stderr: ${view.stdio.join(', ')}`);
  assert.match(view.limits, /^Max cpu time\s+3\s+4\s+seconds/m, 'its CPU seconds are bounded');
  assert.doesNotMatch(view.limits, /^Max address space\s+unlimited/m, 'its memory is bounded');
  assert.match(view.limits, /^Max core file size\s+0\s+0/m, 'it leaves no core file');
  assert.deepEqual(view.environ.filter((e) => /^KAERU_/.test(e)), [], 'no setting (the database password) reaches it');

  const res = await answer;
  // 422 once it has spent its 3 CPU seconds; 503 (try again) if the machine was too busy to
  // give it those within the 8 s wall-clock timeout. Never nginx's 504, never kaeru-fcgi gone.
  assert.ok([422, 503].includes(res.status), `a problem, not ${res.status}: ${res.text}`);
  if (res.status === 422) {
    assertProblem(res, 422, 'body');
    assert.match(res.json.errors[0].message, /takes too long to decode \(more than 3 seconds of processor time\)/);
  } else {
    assertProblem(res, 503);
    assert.equal(res.headers['retry-after'], '5');
  }
  assert.ok(!existsSync(`/proc/${child}`), `kaeru-photo ${child} is killed and reaped (no zombie)`);
  assert.equal(fcgiPid(), fcgi, 'kaeru-fcgi did not restart');
  assert.deepEqual(sql(`SELECT COUNT(*) FROM return_photos p JOIN returns r ON r.id = p.return_id WHERE r.rma = '${ret.rma}'`), [['0']],
    'no photo row');
  assert.deepEqual(sql(`SELECT COUNT(*) FROM media WHERE hash = '${hash}'`), [['0']], 'no media row');

  assertStatus(await api('GET', '/api/v1/health'), 200);
  const next = await upload(clerk, ret.rma, itemId, photo());
  assertStatus(next, 201);
  assert.equal(next.json.width, 640, 'the next photo is read as ever');
});

test('kaeru-fcgi maps no libvips, nor any image decoder, after uploads', async () => {
  const { ret, clerk, itemId } = await receivedItem();
  for (const [w, h] of [[800, 600], [300, 900]]) assertStatus(await upload(clerk, ret.rma, itemId, photo(w, h)), 201);
  const maps = readFileSync(`/proc/${fcgiPid()}/maps`, 'utf8');
  const libs = [...new Set(maps.split('\n').map((l) => l.split(/\s+/)[5]).filter((p) => p && /\.so/.test(p)))];
  assert.ok(libs.some((p) => /libmariadb/.test(p)), 'the maps are read (MariaDB\'s client is there)');
  // libpng stays: the labels' libharu writes PNG. Nothing reads a photo.
  const decoders = libs.filter((p) => /libvips|libgobject|libheif|libde265|libjpeg|libwebp|libtiff|libgif|libpoppler|librsvg|Magick|OpenEXR|libhdf5|libx265/.test(p));
  assert.deepEqual(decoders, [], 'no image library in kaeru-fcgi');
});
