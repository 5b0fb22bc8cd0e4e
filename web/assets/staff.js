// What the staff pages (scan station, merchant console) share: the login form with its session
// cookie (GET/POST/DELETE /api/v1/session), the logout button, and a few small helpers.
import { t } from './i18n.js';
import { h, api, ApiError, generalError, field, emailInput } from './common.js';

// Tells screen readers through the page's #announce live region.
export function announce(text) {
  const el = document.getElementById('announce');
  el.textContent = '';
  setTimeout(() => (el.textContent = text), 50);
}

// Runs fn (which rebuilds DOM) and puts the focus back on the element with the same id.
export function keepFocus(fn) {
  const id = document.activeElement?.id;
  fn();
  if (id && document.activeElement?.id !== id) document.getElementById(id)?.focus({ preventScroll: true });
}

// How long to wait after a rate limit (Retry-After seconds), in words.
export function waitText(seconds) {
  const s = Math.max(1, seconds ?? 30);
  if (s < 90) return t('scan.wait.seconds', { n: s });
  const minutes = Math.ceil(s / 60);
  return minutes === 1 ? t('scan.wait.minute') : t('scan.wait.minutes', { n: minutes });
}

// The login's part of a page's state S (with S.view: 'login' shows the form).
export function loginState() {
  return {
    user: null, // GET/POST /session → user
    login: { email: '', password: '' },
    loginErrors: {}, // field → () => text
    loginNotice: null, // {kind: 'ok'|'error', text: () => text}
    loginBusy: false,
  };
}

// The staff login and session, keeping its state in the page's S (loginState above).
//   render(): redraws the page; S.view 'login' shows view().
//   enter(user, fresh): a session is there (fresh: just logged in, else found on load).
//   heading, intro: i18n keys above the form; submitId: the submit button's id, if any.
//   onSubmit(): runs as a login is sent (after the busy state is drawn).
//   onLogout(): clears the page's own state once the session is gone.
export function staffLogin({ S, render, enter, heading, intro, submitId = null, onSubmit = () => {}, onLogout = () => {} }) {
  let fields = {};

  const showErrors = () => {
    for (const [name, f] of Object.entries(fields)) f.setError(S.loginErrors[name]?.());
  };
  const focusEmail = () => fields.email.control.focus();

  function view() {
    const email = field({
      id: 'login-email',
      label: t('scan.login.email'),
      control: emailInput(S.login.email, (v) => (S.login.email = v), { autocomplete: 'username' }),
    });
    const password = field({
      id: 'login-password',
      label: t('scan.login.password'),
      control: h('input', {
        type: 'password', name: 'password', autocomplete: 'current-password', required: true, maxlength: 1024,
        value: S.login.password, oninput: (e) => (S.login.password = e.target.value),
      }),
    });
    fields = { email, password };
    showErrors();
    const notice = S.loginNotice;
    return [
      h('h2', { class: 'step-title' }, t(heading)),
      h('p', { class: 'lead' }, t(intro)),
      h(
        'form',
        { novalidate: true, class: 'stack login-form', onsubmit: (e) => (e.preventDefault(), submit()) },
        email.wrap,
        password.wrap,
        notice
          ? h('div', { class: `notice notice--${notice.kind}`, id: 'login-notice', role: notice.kind === 'error' ? 'alert' : 'status' }, notice.text())
          : null,
        h('button', { type: 'submit', class: 'button button--primary', id: submitId, disabled: S.loginBusy, 'aria-busy': String(S.loginBusy) },
          t(S.loginBusy ? 'scan.login.busy' : 'scan.login.submit')),
      ),
    ];
  }

  async function submit() {
    if (S.loginBusy) return;
    const email = S.login.email.trim();
    const password = S.login.password;
    S.loginErrors = {};
    if (!email) S.loginErrors.email = () => t('scan.login.err.email');
    if (!password) S.loginErrors.password = () => t('scan.login.err.password');
    showErrors();
    const first = ['email', 'password'].find((n) => S.loginErrors[n]);
    if (first) return fields[first].control.focus();

    S.loginBusy = true;
    S.loginNotice = null;
    render();
    onSubmit();
    try {
      const res = await api('POST', '/session', { body: { email, password } });
      S.loginBusy = false;
      S.login = { email: '', password: '' };
      S.loginNotice = null;
      S.loginErrors = {};
      enter(res.user, true);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      S.loginBusy = false;
      S.login.password = '';
      let text;
      if (err.status === 401) text = () => t('scan.login.wrong');
      else if (err.status === 429) {
        const wait = err.retryAfter;
        text = () => t('scan.login.slow', { wait: waitText(wait) });
      } else if (err.status === 422 && err.fieldErrors.some((e) => e.field in fields)) {
        for (const e of err.fieldErrors) if (e.field in fields) S.loginErrors[e.field] = () => t(`scan.login.err.${e.field}`);
      } else text = () => generalError(err);
      S.loginNotice = text ? { kind: 'error', text } : null;
      render();
      const bad = ['email', 'password'].find((n) => S.loginErrors[n]);
      fields[bad || 'password'].control.focus();
      if (text) announce(text());
    }
  }

  // Back to the login form, with a notice or none; the page has cleared its own state.
  function show(notice) {
    S.user = null;
    S.view = 'login';
    S.loginNotice = notice;
    render();
    focusEmail();
  }

  // On load: the session cookie's user, or the login form.
  async function start() {
    try {
      const res = await api('GET', '/session');
      S.loginNotice = null;
      S.loginErrors = {};
      return enter(res.user, false);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      show(err.status !== 401 ? { kind: 'error', text: () => generalError(err) } : null);
    }
  }

  async function logout() {
    try {
      await api('DELETE', '/session');
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.status !== 401) return announce(generalError(err));
    }
    onLogout();
    show({ kind: 'ok', text: () => t('scan.loggedout') });
  }

  // The session ended under us (idle expiry, logout elsewhere): back to the login form.
  const expired = (text = () => t('scan.login.expired')) => show({ kind: 'error', text });

  const logoutButton = () => h('button', { type: 'button', class: 'chip', id: 'logout', onclick: logout }, t('scan.logout'));

  return { view, start, logout, expired, logoutButton };
}
