// Runs: the admin list (newest first), filtered by status on the server and by text on the page, paged, refreshed
// every few seconds; and a form that starts a run through the public API.
import { api, ApiError } from './api.js';
import { fill, fmt, h, millis, option, setText, statusBadge } from './dom.js';
import { notify, poller } from './notice.js';

const STATUSES = ['QUEUED', 'RUNNING', 'FINISHED', 'FAILED', 'CANCELLED'];
const LAYOUTS = ['combined', 'interleaved', 'independent', 'single'];
const REFRESH_MS = 3000;

/** A problem of the bundled demo model's family (eight one-digit items); the model knows nothing else. */
export const DEMO_PROBLEM = 'Compute every item, then answer with each letter and its result: '
  + 'A=6-3, B=9-0, C=0+5, D=1*3, E=9-4, F=3*1, G=4+2, H=4-4.';

export function runsPage(root) {
  const query = { status: '', page: 0, size: 20, text: '' };
  let latest = null;

  const status = h('select', { id: 'runs-status', 'aria-label': 'Status' },
    option('', 'All statuses'), STATUSES.map((s) => option(s, s)));
  const text = h('input', { id: 'runs-filter', type: 'search', placeholder: 'Filter this page (id, problem, answer, model)' });
  const size = h('select', { id: 'runs-size', 'aria-label': 'Page size' }, [10, 20, 50, 100].map((n) => option(String(n), `${n} a page`, n === 20)));
  const auto = h('input', { id: 'runs-auto', type: 'checkbox', checked: true });
  const body = h('tbody');
  const table = h('table', { id: 'runs-table', class: 'grid' },
    h('thead', null, h('tr', null, ['Run', 'Status', 'Problem', 'Workers', 'Layout', 'Model', 'Queue', 'Tokens', 'Answer', 'Created', 'Took']
      .map((title) => h('th', { scope: 'col' }, title)))),
    body);
  const summary = h('span', { id: 'runs-summary', class: 'muted' });
  const previous = h('button', { type: 'button', class: 'quiet', id: 'runs-previous' }, '← Newer');
  const next = h('button', { type: 'button', class: 'quiet', id: 'runs-next' }, 'Older →');
  const refreshed = h('span', { class: 'muted small' });

  const load = async () => {
    const params = new URLSearchParams({ page: query.page, size: query.size });
    if (query.status) params.set('status', query.status);
    try {
      latest = await api.get(`/admin/runs?${params}`);
      setText(refreshed, `updated ${fmt.time(Date.now())}`);
      render();
    } catch (e) {
      notify(e instanceof ApiError ? `Runs: ${e.describe()}` : `Runs: ${e.message}`);
      throw e;
    }
  };
  const poll = poller(load, REFRESH_MS);

  function render() {
    if (!latest) return;
    const items = Array.isArray(latest.items) ? latest.items : [];
    const needle = query.text.toLowerCase();
    const shown = needle ? items.filter((run) => matches(run, needle)) : items;
    const now = Date.now();
    fill(body, shown.length ? shown.map((run) => row(run, now))
      : h('tr', null, h('td', { colspan: 11, class: 'muted empty' }, items.length ? 'No run on this page matches the filter.' : 'No runs.')));
    const total = Number(latest.total) || 0;
    const pages = Math.max(1, Math.ceil(total / query.size));
    setText(summary, `${total} run${total === 1 ? '' : 's'}${query.status ? ` ${query.status}` : ''} · page ${query.page + 1} of ${pages}`
      + (needle ? ` · ${shown.length} shown` : ''));
    previous.disabled = query.page === 0;
    next.disabled = query.page + 1 >= pages;
  }

  status.addEventListener('change', () => { query.status = status.value; query.page = 0; poll.now(); });
  size.addEventListener('change', () => { query.size = Number(size.value); query.page = 0; poll.now(); });
  text.addEventListener('input', () => { query.text = text.value.trim(); render(); });
  previous.addEventListener('click', () => { query.page = Math.max(0, query.page - 1); poll.now(); });
  next.addEventListener('click', () => { query.page += 1; poll.now(); });
  auto.addEventListener('change', () => poll.repeat(auto.checked));

  fill(root,
    h('div', { class: 'page-head' }, h('h1', null, 'Runs'), refreshed),
    newRunForm(),
    h('div', { class: 'toolbar' }, status, text, size,
      h('label', { class: 'check' }, auto, ' live'), summary, h('span', { class: 'spacer' }), previous, next),
    h('div', { class: 'scroll' }, table));
  poll.now();
  return { dispose: () => poll.stop() };
}

function matches(run, needle) {
  return [run.run_id, run.request?.problem, run.final_answer, ...(run.answers ?? []).map((a) => a?.answer), run.model, run.layout, run.status]
    .some((value) => typeof value === 'string' && value.toLowerCase().includes(needle));
}

function row(run, now) {
  const workers = Array.isArray(run.workers) ? run.workers : [];
  const progress = Array.isArray(run.progress) ? run.progress : [];
  const tokens = progress.reduce((sum, p) => sum + (Number(p.tokens) || 0), 0);
  const created = millis(run.created_at);
  const end = millis(run.finished_at) ?? (isLive(run.status) ? now : null);
  const queue = run.queue_position ?? run.queuePosition;
  const problem = String(run.request?.problem ?? '');
  // answers: [{answer, by: [worker, ...]}] once the session finished; before that only final_answer (if any).
  const answers = Array.isArray(run.answers) && run.answers.length
    ? run.answers.map((a) => (typeof a === 'string' ? a : a?.answer)).filter(Boolean)
    : [run.final_answer].filter(Boolean);
  return h('tr', { dataset: { runId: run.run_id ?? '' } },
    h('td', null, h('a', { href: `#/runs/${encodeURIComponent(run.run_id)}`, class: 'mono', title: run.run_id }, fmt.shortId(run.run_id))),
    h('td', null, statusBadge(run.status)),
    h('td', { class: 'problem-cell', title: problem }, problem.length > 70 ? `${problem.slice(0, 70)}…` : problem),
    h('td', { title: workers.join(', ') }, `${workers.length}`, workers.length ? h('span', { class: 'muted small' }, ` ${workers.join(', ')}`) : null),
    h('td', null, (run.layout ?? '—').toString().toLowerCase()),
    h('td', null, run.model ?? '—'),
    h('td', { class: 'num' }, queue ?? (run.status === 'QUEUED' ? '?' : '—')),
    h('td', { class: 'num', title: progress.map((p) => `${p.name}: ${p.tokens} tokens, ${p.steps} steps, ${p.state}`).join('\n') }, tokens),
    h('td', { class: 'answer mono' }, answers.length ? answers.join(' · ') : h('span', { class: 'muted' }, run.failure_reason ? `failed: ${run.failure_reason}` : '—')),
    h('td', { title: fmt.dateTime(run.created_at) }, fmt.ago(run.created_at, now)),
    h('td', { class: 'num' }, created != null && end != null ? fmt.duration(end - created) : '—'));
}

function isLive(status) {
  return status === 'QUEUED' || status === 'RUNNING';
}

/** Starts a run through the public API (POST /v1/runs) and opens it; defaults suit the bundled demo model. */
function newRunForm() {
  const problem = h('textarea', { id: 'new-problem', rows: 3, required: true, maxlength: 20000 }, DEMO_PROBLEM);
  const workers = h('input', { id: 'new-workers', type: 'number', min: 1, max: 8, value: '2', required: true });
  const layout = h('select', { id: 'new-layout' }, LAYOUTS.map((l) => option(l, l, l === 'combined')));
  const tokens = h('input', { id: 'new-max-tokens', type: 'number', min: 1, value: '256', required: true });
  const temperature = h('input', { id: 'new-temperature', type: 'number', min: 0, max: 5, step: '0.1', value: '0' });
  const seed = h('input', { id: 'new-seed', type: 'number', placeholder: 'random' });
  const error = h('p', { id: 'new-run-error', class: 'error', role: 'alert', hidden: true });
  const submit = h('button', { id: 'new-run-start', type: 'submit' }, 'Start run');
  const form = h('form', { id: 'new-run', class: 'new-run' },
    h('label', { class: 'wide' }, 'Problem', problem),
    h('label', null, 'Workers', workers),
    h('label', null, 'Layout', layout),
    h('label', null, 'Max tokens per worker', tokens),
    h('label', null, 'Temperature', temperature),
    h('label', null, 'Seed', seed),
    h('div', { class: 'actions' }, submit,
      h('button', { type: 'button', class: 'quiet', onclick: () => { problem.value = DEMO_PROBLEM; } }, 'Demo problem')),
    error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = {
      problem: problem.value,
      workers: Number(workers.value),
      layout: layout.value,
      max_tokens_per_worker: Number(tokens.value),
    };
    if (temperature.value !== '') body.temperature = Number(temperature.value);
    if (seed.value !== '') body.seed = Number(seed.value);
    submit.disabled = true;
    error.hidden = true;
    try {
      const run = await api.post('/v1/runs', body);
      location.hash = `#/runs/${encodeURIComponent(run.id ?? run.run_id)}`;
    } catch (e) {
      error.textContent = e instanceof ApiError ? e.describe() : e.message;
      error.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });
  return h('details', { class: 'card', id: 'new-run-panel' }, h('summary', null, 'New run'), form);
}
