// The admin key is typed once per tab, checked against an admin route, and kept in sessionStorage only.
import { api, ApiError, session } from './api.js';
import { fill, h } from './dom.js';

export function loginPage(root, { message, onSignedIn }) {
  const input = h('input', {
    id: 'admin-key', type: 'password', name: 'key', autocomplete: 'off', required: true, spellcheck: 'false',
  });
  const error = h('p', { id: 'login-error', class: 'error', role: 'alert', hidden: !message }, message ?? '');
  const button = h('button', { id: 'login-submit', type: 'submit' }, 'Log in');
  const form = h('form', { class: 'login card', id: 'login-form' },
    h('h1', null, 'Log in'),
    h('p', null, 'The console shows every run and GPU worker: it needs an ', h('strong', null, 'admin'),
      ' API key. It is kept in this tab only (sessionStorage) and sent as a bearer header.'),
    h('label', { for: 'admin-key' }, 'Admin key'),
    input,
    button,
    error);
  let disposed = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) return;
    button.disabled = true;
    error.hidden = true;
    try {
      await api.get('/admin/workers', { key });
      if (disposed) return;
      session.save(key);
      onSignedIn();
    } catch (e) {
      if (disposed) return;
      error.textContent = explain(e);
      error.hidden = false;
      input.select();
    } finally {
      button.disabled = false;
    }
  });
  fill(root, form);
  input.focus();
  return { dispose: () => { disposed = true; } };
}

function explain(e) {
  if (!(e instanceof ApiError)) return `Could not check the key: ${e.message}`;
  if (e.status === 401) return 'This key is not valid (401).';
  if (e.status === 403) return 'This key is valid but it is not an admin key (403): the console needs an admin key.';
  if (e.status === 429) return `Too many attempts with this key (429): retry in ${e.retryAfterSeconds ?? 'a few'} s.`;
  return `Could not check the key: ${e.describe()}`;
}
