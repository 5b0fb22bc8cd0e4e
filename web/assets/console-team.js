// Merchant console, Team: the shop's console users (GET /merchant/team); an owner invites one
// (POST /merchant/team: the first password is shown once, to hand over) and removes one after a
// confirmation (DELETE /merchant/team/{id}: they are signed out at once); every console user
// changes their own password here (POST /session/password).
// Who may do what is the server's rule (core/team.c): the helpers below mirror it only to hide
// controls the server would refuse a staff login (policy, webhook and team changes).
import { t, word, dateTime } from './i18n.js';
import { h, api, ApiError, generalError, field, emailInput } from './common.js';

const NAME_MAX = 100;
const PASSWORD_MIN = 8;

// The roles of the console's users: `merchant` (an owner) and `merchant_staff`.
export function mayUseConsole(user) {
  return user?.role === 'merchant' || user?.role === 'merchant_staff';
}

// Whether the user changes the shop's settings: its policy, webhook and team (owners only).
export function mayChangeSettings(user) {
  return user?.role === 'merchant';
}

// The console's tabs this user sees: the webhook is the owners' alone.
export function tabsFor(user, tabs) {
  return mayChangeSettings(user) ? tabs : tabs.filter((tab) => tab !== 'webhook');
}

let ctx; // {render, sessionProblem, announce, focusId, user: () => the signed-in user}

const blankInvite = () => ({ email: '', name: '', role: 'merchant_staff', busy: false, errors: {}, formError: null });
const blankPassword = () => ({ current: '', fresh: '', again: '', busy: false, errors: {}, formError: null });

const T = {
  items: null, // the team as the server lists it
  error: null, // () => text: the list could not be loaded
  invite: blankInvite(),
  invited: null, // {email, password}: shown once, until the next change
  confirm: null, // the id of the member whose removal waits for a confirmation
  removing: false,
  notice: null, // () => text
  password: blankPassword(),
  passwordNotice: null, // () => text
};

export function init(c) {
  ctx = c;
}

// Only the latest load's answer is shown: one started before an invitation or a removal and
// answered after it would show the team as it was.
let loads = 0;

export async function loadTeam() {
  const mine = ++loads;
  try {
    const items = (await api('GET', '/merchant/team')).items || [];
    if (mine !== loads) return;
    T.items = items;
    T.error = null;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (mine !== loads) return;
    if (ctx.sessionProblem(err)) return;
    T.error = () => generalError(err);
  }
  ctx.render();
}

// Field errors of a 422 (or a 409 naming a field) by field; anything else as the form's error.
function problemOf(err, fields) {
  const errors = {};
  for (const e of err.fieldErrors) if (fields.includes(e.field)) errors[e.field] = errors[e.field] || e.message;
  return Object.keys(errors).length ? { errors, formError: null } : { errors: {}, formError: generalError(err) };
}

// ---------------------------------------------------------------- inviting and removing

async function invite(e) {
  e.preventDefault();
  const f = T.invite;
  if (f.busy) return;
  f.busy = true;
  f.errors = {};
  f.formError = null;
  T.invited = null;
  T.notice = null;
  ctx.render();
  try {
    const res = await api('POST', '/merchant/team', { body: { email: f.email.trim(), name: f.name.trim(), role: f.role } });
    T.invite = blankInvite();
    T.invited = { email: res.member.email, password: res.initial_password };
    ctx.announce(t('console.team.invited', { email: res.member.email }));
    await loadTeam();
    ctx.focusId('team-invited');
    return;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    f.busy = false;
    if (ctx.sessionProblem(err)) return;
    Object.assign(f, problemOf(err, ['email', 'name', 'role']));
  }
  ctx.render();
  const first = ['email', 'name', 'role'].find((k) => f.errors[k]);
  ctx.focusId(first ? `team-${first}` : 'team-invite-error');
}

async function remove(m) {
  if (T.removing) return;
  T.removing = true;
  T.invited = null;
  ctx.render();
  try {
    await api('DELETE', `/merchant/team/${encodeURIComponent(m.id)}`);
    T.notice = () => t('console.team.removed', { who: m.name || m.email });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (ctx.sessionProblem(err)) {
      T.removing = false;
      return;
    }
    T.notice = () => generalError(err);
  }
  T.removing = false;
  T.confirm = null;
  ctx.announce(T.notice());
  await loadTeam();
  ctx.focusId('team-notice');
}

// ---------------------------------------------------------------- one's own password

async function changePassword(e) {
  e.preventDefault();
  const p = T.password;
  if (p.busy) return;
  p.errors = {};
  p.formError = null;
  T.passwordNotice = null;
  if (p.fresh !== p.again) {
    p.errors.again = t('console.password.differ');
    ctx.render();
    return ctx.focusId('password-again');
  }
  p.busy = true;
  ctx.render();
  try {
    await api('POST', '/session/password', { body: { current_password: p.current, new_password: p.fresh } });
    T.password = blankPassword();
    T.passwordNotice = () => t('console.password.changed');
    ctx.announce(t('console.password.changed'));
    ctx.render();
    return ctx.focusId('password-notice');
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    p.busy = false;
    if (ctx.sessionProblem(err)) return;
    const { errors, formError } = problemOf(err, ['current_password', 'new_password']);
    p.errors = { current: errors.current_password, fresh: errors.new_password };
    p.formError = formError;
  }
  ctx.render();
  ctx.focusId(p.errors.current ? 'password-current' : p.errors.fresh ? 'password-fresh' : 'password-error');
}

// ---------------------------------------------------------------- the view

function roleWord(role) {
  return word('console.team.role', role);
}

function memberRow(m, owner) {
  const confirming = T.confirm === m.id;
  let action = null;
  if (owner && !m.you) {
    action = confirming
      ? h('div', { class: 'team-confirm', role: 'group', 'aria-label': t('console.team.confirm', { who: m.name || m.email }) },
        h('p', { class: 'hint', id: `member-${m.id}-confirm` }, t('console.team.confirm', { who: m.name || m.email })),
        h('button', { type: 'button', class: 'button button--danger', id: `member-${m.id}-remove-confirm`, disabled: T.removing,
          'aria-describedby': `member-${m.id}-confirm`, onclick: () => remove(m) }, t('console.team.remove.confirm')),
        ' ',
        h('button', { type: 'button', class: 'button button--link', id: `member-${m.id}-remove-cancel`, disabled: T.removing,
          onclick: () => { T.confirm = null; ctx.render(); ctx.focusId(`member-${m.id}-remove`); } }, t('console.team.remove.cancel')))
      : h('button', { type: 'button', class: 'chip', id: `member-${m.id}-remove`,
        'aria-label': t('console.team.remove.one', { who: m.name || m.email }),
        onclick: () => { T.confirm = m.id; ctx.render(); ctx.focusId(`member-${m.id}-remove-cancel`); } }, t('console.team.remove'));
  }
  return h(
    'tr',
    { id: `member-${m.id}` },
    h('td', { 'data-label': t('console.team.col.name') },
      h('span', { class: 'row-title' }, m.name || '—'),
      m.you ? [' ', h('span', { class: 'tab-count', id: 'member-you' }, t('console.team.you'))] : null),
    h('td', { 'data-label': t('console.team.col.email'), translate: 'no' }, m.email),
    h('td', { 'data-label': t('console.team.col.role') }, roleWord(m.role)),
    h('td', { 'data-label': t('console.team.col.signin') },
      m.last_sign_in_at ? h('time', { datetime: m.last_sign_in_at }, dateTime(m.last_sign_in_at)) : t('console.team.never')),
    h('td', {}, action),
  );
}

function inviteForm() {
  const f = T.invite;
  const email = field({
    id: 'team-email',
    label: t('console.team.email'),
    control: emailInput(f.email, (v) => (f.email = v), { name: 'invite-email', autocomplete: 'off', disabled: f.busy }),
  });
  email.setError(f.errors.email);
  const name = field({
    id: 'team-name',
    label: t('console.team.name'),
    control: h('input', { type: 'text', name: 'invite-name', maxlength: NAME_MAX, autocomplete: 'off', value: f.name,
      disabled: f.busy, oninput: (e) => (f.name = e.target.value) }),
  });
  name.setError(f.errors.name);
  const role = field({
    id: 'team-role',
    label: t('console.team.role'),
    hint: t('console.team.role.hint'),
    control: h('select', { name: 'invite-role', disabled: f.busy, onchange: (e) => (f.role = e.target.value) },
      ['merchant_staff', 'merchant'].map((r) => h('option', { value: r, selected: f.role === r }, roleWord(r)))),
  });
  role.setError(f.errors.role);
  return h(
    'form',
    { class: 'policy-form team-form', id: 'team-invite', novalidate: true, 'aria-labelledby': 'team-invite-title', onsubmit: invite },
    h('h3', { class: 'panel-subtitle', id: 'team-invite-title' }, t('console.team.invite.title')),
    f.formError ? h('p', { class: 'notice notice--error', id: 'team-invite-error', role: 'alert', tabindex: '-1' }, f.formError) : null,
    h('div', { class: 'field-row' }, email.wrap, name.wrap),
    role.wrap,
    h('p', {}, h('button', { type: 'submit', class: 'button button--primary', id: 'team-invite-submit', disabled: f.busy,
      'aria-busy': String(f.busy) }, f.busy ? t('console.team.inviting') : t('console.team.invite'))),
  );
}

function passwordForm() {
  const p = T.password;
  const input = (id, key, autocomplete, label, hint) => {
    const f = field({
      id,
      label,
      hint,
      control: h('input', { type: 'password', name: id, autocomplete, maxlength: 1024, value: p[key], disabled: p.busy,
        oninput: (e) => (p[key] = e.target.value) }),
    });
    f.setError(p.errors[key]);
    return f.wrap;
  };
  return h(
    'form',
    { class: 'policy-form team-form', id: 'password-form', novalidate: true, 'aria-labelledby': 'password-title', onsubmit: changePassword },
    h('h3', { class: 'panel-subtitle', id: 'password-title', tabindex: '-1' }, t('console.password.title')),
    h('p', { class: 'hint' }, t('console.password.intro')),
    T.passwordNotice ? h('p', { class: 'notice notice--ok', id: 'password-notice', role: 'status', tabindex: '-1' }, T.passwordNotice()) : null,
    p.formError ? h('p', { class: 'notice notice--error', id: 'password-error', role: 'alert', tabindex: '-1' }, p.formError) : null,
    input('password-current', 'current', 'current-password', t('console.password.current')),
    h('div', { class: 'field-row' },
      input('password-fresh', 'fresh', 'new-password', t('console.password.new'), t('console.password.new.hint', { n: PASSWORD_MIN })),
      input('password-again', 'again', 'new-password', t('console.password.again'))),
    h('p', {}, h('button', { type: 'submit', class: 'button button--primary', id: 'password-submit', disabled: p.busy,
      'aria-busy': String(p.busy) }, t('console.password.submit'))),
  );
}

export function viewTeam() {
  const owner = mayChangeSettings(ctx.user());
  const head = [
    h('h2', { class: 'section-title', id: 'team-heading', tabindex: '-1' }, t('console.team.heading')),
    h('p', { class: 'hint' }, owner ? t('console.team.intro') : t('console.team.intro.staff')),
  ];
  let list;
  if (T.error && !T.items) {
    list = [h('p', { class: 'notice notice--error', role: 'alert' }, T.error()),
      h('button', { type: 'button', class: 'button button--secondary', onclick: loadTeam }, t('console.retry'))];
  } else if (!T.items) {
    list = h('p', { class: 'loading' }, t('app.loading'));
  } else {
    list = h('div', { class: 'table-wrap' },
      h('table', { class: 'rows', id: 'team-table', 'aria-labelledby': 'team-heading' },
        h('thead', {}, h('tr', {},
          [t('console.team.col.name'), t('console.team.col.email'), t('console.team.col.role'), t('console.team.col.signin'), '']
            .map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, T.items.map((m) => memberRow(m, owner)))));
  }
  return [
    head,
    T.notice ? h('p', { class: 'notice', id: 'team-notice', role: 'status', tabindex: '-1' }, T.notice()) : null,
    T.invited
      ? h('div', { class: 'notice notice--ok', id: 'team-invited', role: 'status', tabindex: '-1' },
        h('p', {}, t('console.team.password', { email: T.invited.email })),
        h('p', {}, h('code', { id: 'team-password', translate: 'no' }, T.invited.password)),
        h('p', { class: 'hint' }, t('console.team.password.hint')))
      : null,
    list,
    owner ? inviteForm() : null,
    passwordForm(),
  ];
}
