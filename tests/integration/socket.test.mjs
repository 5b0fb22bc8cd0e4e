// kaeru-fcgi's FastCGI socket is nginx's alone: whoever can write to it can forge REMOTE_ADDR,
// HTTPS and Origin. It is 0660 and belongs to the group nginx runs as (KAERU_LISTEN_GROUP).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib.mjs';

const STACK = process.env.KAERU_STACK || join(ROOT, 'var');
const settings = Object.fromEntries(
  readFileSync(join(STACK, 'kaeru.env'), 'utf8').split('\n').filter((l) => l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

test('the FastCGI sockets are 0660 and belong to the listen group', () => {
  const sockets = [settings.KAERU_LISTEN, settings.KAERU_LOGIN_LISTEN].filter(Boolean);
  const gid = Number(execFileSync('getent', ['group', settings.KAERU_LISTEN_GROUP], { encoding: 'utf8' })
    .split(':')[2]);
  for (const path of sockets) {
    const st = statSync(path);
    assert.ok(st.isSocket(), `${path} is a socket`);
    assert.equal((st.mode & 0o777).toString(8), '660', `${path} is rw for owner and group only`);
    assert.equal(st.gid, gid, `${path} belongs to ${settings.KAERU_LISTEN_GROUP}`);
  }
});
