// GPU workers: the orchestrator's registry (GET /admin/workers): model, sessions, cache memory, heartbeat and the
// state of the orchestrator's circuit breaker towards each.
import { api, ApiError } from './api.js';
import { fill, fmt, h, setText } from './dom.js';
import { notify, poller } from './notice.js';

const REFRESH_MS = 5000;

export function workersPage(root) {
  const body = h('tbody');
  const summary = h('p', { id: 'workers-summary', class: 'muted' });
  const refreshed = h('span', { class: 'muted small' });
  const load = async () => {
    try {
      const workers = await api.get('/admin/workers');
      render(Array.isArray(workers) ? workers : []);
      setText(refreshed, `updated ${fmt.time(Date.now())}`);
    } catch (e) {
      notify(e instanceof ApiError ? `GPU workers: ${e.describe()}` : `GPU workers: ${e.message}`);
      throw e;
    }
  };
  const render = (workers) => {
    const now = Date.now();
    const rows = workers.map((entry) => row(entry, now));
    fill(body, rows.length ? rows : h('tr', null, h('td', { colspan: 7, class: 'muted empty' }, 'No GPU worker is registered.')));
    const sessions = workers.reduce((n, w) => n + (Number(registration(w).active_sessions) || 0), 0);
    const slots = workers.reduce((n, w) => n + (Number(registration(w).max_sessions) || 0), 0);
    setText(summary, `${workers.length} GPU worker${workers.length === 1 ? '' : 's'} · ${sessions} of ${slots} session slots in use`);
  };
  const poll = poller(load, REFRESH_MS);
  fill(root,
    h('div', { class: 'page-head' }, h('h1', null, 'GPU workers'), refreshed),
    summary,
    h('div', { class: 'scroll' }, h('table', { id: 'workers-table', class: 'grid' },
      h('thead', null, h('tr', null, ['GPU worker', 'Model', 'Sessions', 'Cache used / budget', 'Cache free', 'Heartbeat', 'Circuit']
        .map((title) => h('th', { scope: 'col' }, title)))),
      body)));
  poll.now();
  return { dispose: () => poll.stop() };
}

function registration(entry) {
  return entry?.registration ?? entry ?? {};
}

function row(entry, now) {
  const r = registration(entry);
  const active = Number(r.active_sessions);
  const max = Number(r.max_sessions);
  const free = numberOrNull(r.cache_bytes_free);
  // The registry may publish the budget and what is used; without them only the free bytes are known.
  const budget = numberOrNull(r.cache_bytes_budget ?? r.cache_budget_bytes ?? r.cache_bytes_total);
  const used = numberOrNull(r.cache_bytes_used) ?? (budget != null && free != null ? budget - free : null);
  const circuit = String(entry?.circuit ?? 'UNKNOWN');
  return h('tr', { dataset: { worker: r.worker_id ?? '' } },
    h('td', null, h('div', { class: 'mono' }, r.worker_id ?? '—'), h('div', { class: 'muted small' }, r.url ?? '')),
    h('td', null, r.model_id ?? '—'),
    h('td', { class: 'sessions' }, h('meter', { min: 0, max: Number.isFinite(max) && max > 0 ? max : 1, value: Number.isFinite(active) ? active : 0 }),
      ` ${Number.isFinite(active) ? active : '?'} / ${Number.isFinite(max) ? max : '?'}`),
    h('td', null, used != null && budget != null
      ? [h('meter', { min: 0, max: budget, value: used }), ` ${fmt.bytes(used)} / ${fmt.bytes(budget)}`]
      : h('span', { class: 'muted', title: 'the registry does not publish the cache budget' }, 'not reported')),
    h('td', { class: 'num' }, fmt.bytes(free)),
    h('td', { title: fmt.dateTime(r.heartbeat_at_millis) }, fmt.ago(r.heartbeat_at_millis, now)),
    h('td', null, h('span', { class: `badge circuit-${circuit.toLowerCase()}` }, circuit)));
}

function numberOrNull(value) {
  const n = Number(value);
  return value == null || !Number.isFinite(n) ? null : n;
}
