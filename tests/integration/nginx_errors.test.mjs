// Every answer under /api/ is application/problem+json, also the ones nginx gives itself before
// kaeru-fcgi sees the request: an HTTP version it does not speak, headers over its buffers, encoded
// dot segments that normalise outside /api/, a malformed request line. Sent over raw sockets, since
// an HTTP client would refuse to write these requests. (502/504: faults.test.mjs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { BASE } from './lib.mjs';

const { hostname, port } = new URL(BASE);

/* Sends bytes as they are (without half-closing: nginx would take that for a client gone) and resolves {status, headers, body, json} from what comes back. */
function raw(bytes) {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: hostname, port: Number(port) }, () => sock.write(bytes));
    const chunks = [];
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const head = text.slice(0, text.indexOf('\r\n\r\n'));
      const body = text.slice(head.length + 4);
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = {};
      for (const l of lines) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
      let json;
      try { json = JSON.parse(body); } catch { json = undefined; }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body, json, text });
    });
  });
}

function request(line, headers = '') {
  return raw(`${line}\r\nHost: ${hostname}\r\n${headers}Connection: close\r\n\r\n`);
}

function assertProblemRaw(res, status) {
  assert.equal(res.status, status, res.text.slice(0, 400));
  assert.match(res.headers['content-type'] || '', /^application\/problem\+json\b/, res.text.slice(0, 400));
  assert.ok(res.json, `a JSON body: ${res.body.slice(0, 200)}`);
  assert.equal(res.json.status, status, 'problem.status is the HTTP status');
  assert.equal(typeof res.json.title, 'string');
  assert.equal(typeof res.json.detail, 'string');
  assert.ok(Array.isArray(res.json.errors));
}

test('an unknown HTTP version is 505 problem+json', async () => {
  assertProblemRaw(await request('GET /api/v1/health HTTP/9.9'), 505);
});

test('headers or cookies over nginx\'s buffers are 400 problem+json', async () => {
  assertProblemRaw(await request('GET /api/v1/health HTTP/1.1', `Cookie: k=${'a'.repeat(20000)}\r\n`), 400);
  assertProblemRaw(await request('GET /api/v1/health HTTP/1.1', `X-Long: ${'b'.repeat(20000)}\r\n`), 400);
});

test('encoded dot segments under /api/ are answered by the API, in its shape', async () => {
  for (const path of ['/api/v1/returns/..%2F..', '/api/v1/returns/..%2F..%2F..', '/api/v1/returns/..%2F..%2F..%2Fx',
    '/api/v1/returns/..%2F..%2F..%2Findex.html', '/api/v1/returns/%2e%2e%2f%2e%2e%2f%2e%2e%2fscan/']) {
    const res = await request(`GET ${path} HTTP/1.1`);
    assert.ok(res.status >= 400 && res.status < 500, `${path}: 4xx, got ${res.text.slice(0, 300)}`);
    assertProblemRaw(res, res.status);
  }
  // Past the root, nginx itself refuses the request line.
  assertProblemRaw(await request('GET /api/v1/returns/..%2F..%2F..%2F..%2F..%2Fx HTTP/1.1'), 400);
});

test('paths under /api/ that look like the server\'s own files are the API\'s, not nginx\'s 403', async () => {
  for (const path of ['/api/v1/returns/x.conf', '/api/v1/health.in']) {
    const res = await request(`GET ${path} HTTP/1.1`);
    assert.ok(res.status >= 400 && res.status < 500, `${path}: 4xx, got ${res.text.slice(0, 300)}`);
    assertProblemRaw(res, res.status);
  }
});

test('a malformed request line and an overlong URI are problem+json', async () => {
  assertProblemRaw(await request('GET /api/v1/health\x01 HTTP/1.1'), 400);
  assertProblemRaw(await request(`GET /api/v1/health?q=${'x'.repeat(70000)} HTTP/1.1`), 414);
});
