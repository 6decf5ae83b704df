// One run, live: its events (GET /v1/runs/{id}/events, replayed from the start, then followed) folded into a column
// per worker, the shared history, self-checks, answers and timings; the plan and request from GET /admin/runs/{id};
// and the lockstep scrubber.
import { api, ApiError, readEvents } from './api.js';
import { append, fill, fmt, h, millis, option, setText, statusBadge } from './dom.js';
import { rebuildView, viewFromEndpoint } from './lockstep.js';
import { notify } from './notice.js';
import { applyEvent, bodyText, createRunState, isFinal, setStatus, stepBody, tokenRate } from './run-state.js';

const WORKER_CLASSES = 8;

export function runPage(root, runId) {
  const state = createRunState(runId);
  const abort = new AbortController();
  const seen = new Set();
  let detail = null;
  let disposed = false;
  let frame = 0;

  const ui = layout(runId);
  fill(root, ui.page);

  const scheduleRender = () => {
    if (!frame && !disposed) frame = requestAnimationFrame(() => { frame = 0; render(); });
  };

  const onEvent = (message) => {
    const event = message.data;
    if (!event || typeof event !== 'object') return;
    event.id ??= message.id;
    if (event.id && seen.has(event.id)) return;
    if (event.id) seen.add(event.id);
    if (!event.type && message.event) event.type = message.event.toUpperCase();
    applyEvent(state, event);
    scheduleRender();
  };

  const loadDetail = async () => {
    try {
      detail = await api.get(`/admin/runs/${encodeURIComponent(runId)}`);
      setStatus(state, detail?.run?.status);
      scheduleRender();
      return true;
    } catch (e) {
      if (e.status === 404) {
        fill(root, h('div', { class: 'card' }, h('h1', null, 'No such run'), h('p', { class: 'error', id: 'run-error' }, e.describe()),
          h('a', { href: '#/runs' }, '← Runs')));
        return false;
      }
      notify(e instanceof ApiError ? `Run: ${e.describe()}` : `Run: ${e.message}`);
      return true;
    }
  };

  const follow = async () => {
    let backoff = 1000;
    while (!disposed && !state.ended) {
      try {
        connection('connecting…');
        await readEvents(`/v1/runs/${encodeURIComponent(runId)}/events`, {
          lastEventId: state.lastEventId,
          signal: abort.signal,
          onOpen: () => { connection('live'); backoff = 1000; },
          onEvent,
        });
        if (state.ended) break;
        connection('reconnecting…');
      } catch (e) {
        if (disposed || e.name === 'AbortError' || e.status === 401) return;
        if (e.status === 404) {
          connection('no event stream for this run');
          return;
        }
        connection(`reconnecting… (${e instanceof ApiError ? e.describe() : e.message})`);
        if (e.status === 429 && e.retryAfterSeconds) backoff = Math.max(backoff, e.retryAfterSeconds * 1000);
      }
      await delay(backoff, abort.signal);
      backoff = Math.min(backoff * 2, 10000);
    }
    if (!disposed) {
      connection('ended');
      await loadDetail(); // finished_at and the recorded answer
    }
  };

  function connection(text) {
    setText(ui.connection, text);
    ui.connection.className = `connection ${text === 'live' ? 'live' : text === 'ended' ? 'ended' : 'waiting'}`;
  }

  // ----- rendering -----

  const columns = new Map();
  let historyShown = 0;
  let selfChecksVersion = -1;

  function render() {
    if (disposed) return;
    const run = detail?.run ?? {};
    const now = Date.now();
    fill(ui.status, statusBadge(state.status ?? run.status, { id: 'run-status-badge' }));
    ui.status.dataset.status = state.status ?? run.status ?? '';
    renderFacts(run, now);
    renderAnswers(run);
    renderColumns();
    renderHistory();
    renderSelfChecks();
    lockstep.update();
  }

  function renderFacts(run, now) {
    const f = ui.facts;
    const names = [...state.workers.keys()];
    const created = millis(run.created_at) ?? state.queuedAt;
    const started = millis(run.started_at) ?? state.startedAt;
    const finished = millis(run.finished_at) ?? state.endedAt;
    const tokens = [...state.workers.values()].reduce((n, w) => n + w.tokens, 0);
    const rate = tokenRate(state.firstTokenAt, state.lastTokenAt, tokens);
    setText(f.layout, String(run.layout ?? state.layout ?? '—').toLowerCase());
    setText(f.model, run.model ?? '—');
    setText(f.gpu, run.gpu_worker ?? state.gpuWorker ?? '—');
    setText(f.workers, names.length ? `${names.length}: ${names.join(', ')}` : (run.workers ?? []).join(', ') || '—');
    setText(f.queue, run.queue_position ?? run.queuePosition ?? (state.status === 'QUEUED' ? '?' : '—'));
    setText(f.created, fmt.dateTime(created));
    setText(f.started, started != null && created != null ? `${fmt.time(started)} (+${fmt.duration(started - created)})` : '—');
    setText(f.finished, finished != null ? fmt.time(finished) : isFinal(state.status) ? '—' : 'running');
    setText(f.elapsed, created != null ? fmt.duration((finished ?? now) - created) : '—');
    setText(f.passes, state.passes ?? (state.maxLockstep || '—'));
    setText(f.tokens, state.sessionTokens ?? tokens);
    setText(f.rate, rate == null ? '—' : `${rate.toFixed(1)} tok/s`);
    setText(f.events, `${state.events.length}${detail?.event_count != null ? ` (${detail.event_count} recorded when opened)` : ''}`);
    setText(ui.problem, run.request?.problem ?? '');
  }

  function renderAnswers(run) {
    const answers = [];
    const seenAnswers = new Set();
    for (const a of state.answers) {
      answers.push(h('li', null, h('code', { class: 'answer-text' }, a.answer),
        h('span', { class: `who w${a.workerIndex ?? workerIndex(a.worker)}` }, ` ${a.worker}, step ${a.step}`)));
      seenAnswers.add(a.answer);
    }
    for (const extra of [...(Array.isArray(run.answers) ? run.answers : []), run.final_answer]) {
      const text = typeof extra === 'string' ? extra : extra?.answer;
      if (text && !seenAnswers.has(text)) {
        seenAnswers.add(text);
        answers.push(h('li', null, h('code', { class: 'answer-text' }, text), h('span', { class: 'muted' }, ' recorded')));
      }
    }
    const notes = [];
    const reason = state.finishReason ?? run.finish_reason ?? state.sessionReason;
    if (reason) notes.push(h('p', null, 'Finished by: ', h('strong', { id: 'finish-reason' }, reason)));
    for (const f of state.finishers) {
      notes.push(h('p', { class: 'finisher-note' }, h('span', { class: `who w${workerIndex(f.worker)}` }, f.worker),
        ` ran out of budget at step ${f.step}; the finisher asked: `, h('q', null, f.text.trim())));
    }
    if (state.cancelRequested) notes.push(h('p', null, 'Cancel requested.'));
    const failure = state.failureReason ?? run.failure_reason;
    if (failure) notes.push(h('p', { class: 'error' }, `Failed: ${failure}`));
    state.errors.forEach((message) => notes.push(h('p', { class: 'error' }, `Error: ${message}`)));
    fill(ui.answers,
      answers.length ? h('ol', { id: 'answers', class: 'answers' }, answers)
        : h('p', { class: 'muted', id: 'answers-none' }, isFinal(state.status) ? 'No answer.' : 'No answer yet.'),
      notes);
  }

  function workerIndex(name) {
    return (state.workers.get(name)?.index ?? 0) % WORKER_CLASSES;
  }

  function renderColumns() {
    ui.columns.classList.toggle('many', state.workers.size > 4);
    for (const w of state.workers.values()) {
      let column = columns.get(w.name);
      if (!column) {
        column = createColumn(w);
        columns.set(w.name, column);
        ui.columns.append(column.section);
      }
      const rate = tokenRate(w.firstTokenAt, w.lastTokenAt, w.tokens);
      setText(column.state, w.state);
      column.state.className = `worker-state ${w.state}`;
      setText(column.stats, `${w.steps.size} step${w.steps.size === 1 ? '' : 's'} · ${w.tokens} tokens · ${rate == null ? '—' : `${rate.toFixed(1)} tok/s`}`);
      if (column.version === w.version) continue;
      column.version = w.version;
      const list = column.list;
      const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
      for (const s of w.steps.values()) {
        let card = column.steps.get(s.number);
        if (!card) {
          card = createStep(w, s);
          column.steps.set(s.number, card);
          list.append(card.item);
        }
        if (card.version === s.version) continue;
        card.version = s.version;
        updateStep(card, w, s);
      }
      if (atBottom) list.scrollTop = list.scrollHeight;
    }
    for (const column of columns.values()) {
      for (const [number, card] of column.steps) {
        const w = state.workers.get(column.name);
        const current = w && w.current === number && w.state !== 'done' && !isFinal(state.status)
          && w.steps.get(number)?.finishedAt == null;
        card.item.classList.toggle('current', Boolean(current));
      }
    }
  }

  function createColumn(w) {
    const state_ = h('span', { class: 'worker-state' });
    const stats = h('span', { class: 'worker-stats muted small' });
    const list = h('ol', { class: 'steps' });
    const section = h('section', { class: `column w${w.index % WORKER_CLASSES}`, dataset: { worker: w.name } },
      h('header', null, h('h3', null, w.name), state_, stats), list);
    return { name: w.name, section, state: state_, stats, list, steps: new Map(), version: -1 };
  }

  function createStep(w, s) {
    const prefix = h('span', { class: 'prefix' });
    const tags = h('span', { class: 'tags' });
    const selfCheck = h('p', { class: 'self-check', hidden: true });
    const text = h('div', { class: 'step-text' });
    const open = h('button', { type: 'button', class: 'link small', title: 'Show what this worker saw at the end of this step' }, 'view');
    open.addEventListener('click', () => lockstep.open(w.name, (s.lastPass ?? 0) + 1));
    const item = h('li', { class: 'step', dataset: { step: String(s.number) } },
      h('div', { class: 'step-head' }, prefix, tags, open), selfCheck, text);
    return { item, prefix, tags, selfCheck, text, version: -1 };
  }

  function updateStep(card, w, s) {
    // The prefix is markdown (**Alice [3]:**); its emphasis markers are noise here.
    setText(card.prefix, (s.prefix || `${w.name} [${s.number}]:`).replace(/\*\*/g, '').trim());
    card.prefix.title = s.prefix;
    const tags = [];
    if (s.promoted) tags.push(h('span', { class: 'tag promoted', title: 'moved into the shared history' }, 'shared'));
    if (s.finisher) tags.push(h('span', { class: 'tag finisher' }, 'finisher'));
    if (s.answer) tags.push(h('span', { class: 'tag answer' }, 'answer'));
    if (s.end && s.end !== 'separator') tags.push(h('span', { class: 'tag' }, `ended: ${s.end}`));
    const tokens = s.reportedTokens ?? s.tokens;
    const passes = s.firstPass != null ? ` · passes ${s.firstPass}–${s.lastPass}` : '';
    tags.push(h('span', { class: 'muted small' }, `${tokens} tok${passes}`));
    fill(card.tags, tags);
    card.selfCheck.hidden = !s.selfCheck;
    if (s.selfCheck) fill(card.selfCheck, h('span', { class: 'tag self' }, 'self-check'), ` ${s.selfCheck.trim()}`);
    const segments = stepBody(s);
    fill(card.text, segments.map((segment, i) => {
      // A finished step ends with its blank-line separator: not worth a blank line in the card.
      const text = s.finishedAt != null && i === segments.length - 1 ? segment.text.trimEnd() : segment.text;
      return segment.kind === 'finisher' ? h('span', { class: 'finisher-text', title: 'finisher prompt' }, text) : text;
    }));
  }

  function renderHistory() {
    if (historyShown === state.history.length) return;
    if (historyShown === 0) ui.history.replaceChildren();
    for (const entry of state.history.slice(historyShown)) {
      ui.history.append(h('li', { class: `w${entry.workerIndex % WORKER_CLASSES}` },
        h('span', { class: 'who' }, `${entry.worker} [${entry.step}]`),
        h('span', { class: 'muted small' }, entry.length != null ? ` ${entry.target ?? ''} → ${entry.length} tokens` : ''),
        h('div', { class: 'history-text' }, (entry.text.startsWith(entry.prefix) ? entry.text.slice(entry.prefix.length) : entry.text).trimEnd())));
    }
    historyShown = state.history.length;
  }

  function renderSelfChecks() {
    const version = state.selfChecks.reduce((n, c) => n + (state.workers.get(c.worker)?.steps.get(c.step)?.version ?? 0), state.selfChecks.length);
    if (version === selfChecksVersion) return;
    selfChecksVersion = version;
    if (!state.selfChecks.length) {
      fill(ui.selfChecks, h('li', { class: 'muted placeholder' }, 'No self-check so far.'));
      return;
    }
    fill(ui.selfChecks, state.selfChecks.map((check) => {
      const s = state.workers.get(check.worker)?.steps.get(check.step);
      const answer = s ? bodyText(s).trim() : '';
      return h('li', { class: `w${workerIndex(check.worker)}` },
        h('span', { class: 'who' }, `${check.worker} [${check.step}]`),
        check.tokensBefore != null ? h('span', { class: 'muted small' }, ` after ${check.tokensBefore} tokens`) : null,
        h('div', null, h('q', null, check.question.trim())),
        h('div', { class: 'self-answer' }, answer || h('span', { class: 'muted' }, '…')));
    }));
  }

  // ----- lockstep scrubber -----

  const lockstep = lockstepPanel(ui, {
    runId,
    workers: () => [...state.workers.keys()],
    maxPass: () => Math.max(state.maxLockstep, state.passes ?? 0, 1),
    live: () => !isFinal(state.status),
    rebuild: (worker, pass) => rebuildView(detail?.plan, state.events, worker, pass),
    workerIndex,
  });

  // Elapsed time moves on between events.
  const ticker = setInterval(() => { if (!isFinal(state.status)) scheduleRender(); }, 1000);
  loadDetail().then((exists) => {
    if (exists && !disposed) follow();
  });
  return {
    dispose() {
      disposed = true;
      abort.abort();
      clearInterval(ticker);
      cancelAnimationFrame(frame);
      lockstep.dispose();
    },
  };
}

function layout(runId) {
  const fact = (label, id) => {
    const dd = h('dd', { id });
    return { dd, row: [h('dt', null, label), dd] };
  };
  const facts = {
    layout: fact('Layout', 'fact-layout'), model: fact('Model', 'fact-model'), gpu: fact('GPU worker', 'fact-gpu'),
    workers: fact('Workers', 'fact-workers'), queue: fact('Queue position', 'fact-queue'),
    created: fact('Created', 'fact-created'), started: fact('Started', 'fact-started'),
    finished: fact('Finished', 'fact-finished'), elapsed: fact('Elapsed', 'fact-elapsed'),
    passes: fact('Lockstep passes', 'fact-passes'), tokens: fact('Tokens', 'fact-tokens'),
    rate: fact('Tokens/s', 'fact-rate'), events: fact('Events', 'fact-events'),
  };
  const ui = {
    status: h('span', { id: 'run-status' }),
    connection: h('span', { id: 'run-connection', class: 'connection waiting' }, 'connecting…'),
    problem: h('pre', { id: 'run-problem', class: 'problem' }),
    answers: h('div', { id: 'run-answers' }),
    columns: h('div', { id: 'columns', class: 'columns' }),
    history: h('ol', { id: 'history', class: 'history' }, h('li', { class: 'muted placeholder' }, 'Nothing shared yet.')),
    selfChecks: h('ol', { id: 'self-checks', class: 'self-checks' }),
    facts: Object.fromEntries(Object.entries(facts).map(([k, v]) => [k, v.dd])),
  };
  ui.lockstepRoot = h('details', { id: 'lockstep', class: 'card lockstep' });
  ui.page = h('article', { class: 'run', dataset: { runId } },
    h('div', { class: 'page-head' },
      h('a', { href: '#/runs', class: 'back' }, '← Runs'),
      h('h1', null, 'Run ', h('code', { id: 'run-id', title: runId }, runId)),
      ui.status, ui.connection),
    h('div', { class: 'run-top' },
      h('dl', { class: 'facts card' }, Object.values(facts).map((f) => f.row)),
      h('div', { class: 'card' }, h('h2', null, 'Problem'), ui.problem, h('h2', null, 'Answer'), ui.answers)),
    h('h2', null, 'Workers'),
    ui.columns,
    h('div', { class: 'run-lower' },
      h('section', { class: 'card' }, h('h2', null, 'Shared history'), ui.history),
      h('section', { class: 'card' }, h('h2', null, 'Self-checks'), ui.selfChecks)),
    ui.lockstepRoot);
  return ui;
}

/**
 * What one worker saw at lockstep pass N: from the orchestrator's view endpoint when it answers, rebuilt from the
 * plan and event log otherwise (and remembered as missing for this page after a 404).
 */
function lockstepPanel(ui, { runId, workers, maxPass, live, rebuild, workerIndex }) {
  const root = ui.lockstepRoot;
  const worker = h('select', { id: 'lockstep-worker', 'aria-label': 'Worker' });
  const range = h('input', { id: 'lockstep-range', type: 'range', min: 1, max: 1, value: '1', 'aria-label': 'Pass' });
  const number = h('input', { id: 'lockstep-pass', type: 'number', min: 1, max: 1, value: '1', 'aria-label': 'Pass number' });
  const previous = h('button', { type: 'button', class: 'quiet', title: 'previous pass' }, '◀');
  const next = h('button', { type: 'button', class: 'quiet', title: 'next pass' }, '▶');
  const source = h('span', { id: 'lockstep-source', class: 'muted small' });
  const summary = h('p', { id: 'lockstep-summary' });
  const view = h('div', { id: 'lockstep-view', class: 'blocks' });
  append(root,
    h('summary', null, 'Lockstep: what one worker saw at pass N'),
    h('div', { class: 'toolbar' }, h('label', null, 'Worker ', worker), previous, range, next,
      h('label', null, 'Pass ', number), h('span', { class: 'muted small', id: 'lockstep-max' }), source),
    summary, view);

  let endpoint = 'unknown';
  let touched = false;
  let timer = null;
  let request = 0;
  const cache = new Map();
  const maxLabel = root.querySelector('#lockstep-max');

  const current = () => Math.min(Math.max(1, Number(number.value) || 1), maxPass());
  const setPass = (pass) => {
    range.value = String(pass);
    number.value = String(pass);
  };
  const schedule = (delay = 150) => {
    clearTimeout(timer);
    timer = setTimeout(show, delay);
  };

  async function show() {
    if (!root.open || !worker.value) return;
    const name = worker.value;
    const pass = current();
    const mine = ++request;
    let result = null;
    if (endpoint !== 'missing') {
      const key = `${name}@${pass}`;
      result = cache.get(key) ?? null;
      if (!result) {
        try {
          const body = await api.get(`/admin/runs/${encodeURIComponent(runId)}/view/${encodeURIComponent(name)}?lockstep=${pass}`);
          result = viewFromEndpoint(body, name, pass);
          if (result) {
            endpoint = 'present';
            if (!live()) cache.set(key, result);
          }
        } catch (e) {
          // 404/405/501: this orchestrator has no view endpoint; any other failure falls back for this call only.
          if ([404, 405, 501].includes(e.status)) endpoint = 'missing';
          else if (e.status === 429) notify(`Lockstep view: ${e.describe()}`);
        }
      }
    }
    if (mine !== request) return;
    result ??= rebuild(name, pass);
    renderView(result);
  }

  function renderView(result) {
    setText(source, result.source === 'orchestrator' ? 'from the orchestrator' : 'rebuilt from the plan and the event log');
    source.dataset.source = result.source;
    view.className = `blocks w${workerIndex(result.worker)}`;
    const total = result.blocks.reduce((n, b) => n + (b.tokens ?? 0), 0);
    fill(summary,
      h('strong', { class: `who w${workerIndex(result.worker)}` }, result.worker),
      ` at pass ${result.pass}`, result.writing != null ? ` (writing step ${result.writing})` : '',
      ` read ${result.blocks.length} blocks`, total ? `, ${result.blocks.some((b) => b.atLeast) ? 'at least ' : ''}${total} tokens` : '', '.');
    fill(view, result.blocks.map((block) => {
      const head = h('div', { class: 'block-head' },
        h('span', { class: 'block-name mono' }, block.name),
        block.role ? h('span', { class: 'tag' }, String(block.role).toLowerCase()) : null,
        h('span', { class: 'muted small', title: block.atLeast ? 'a prefix or question was fed since the last count' : null },
          block.tokens == null ? '' : `${block.atLeast ? '≥ ' : ''}${block.tokens} tokens`),
        block.own ? h('span', { class: 'tag own' }, `${result.worker} writes here`) : null);
      const text = h('pre', { class: 'block-text' }, block.text || '');
      const long = block.role === 'PROMPT' || block.text.length > 1200;
      return h('section', { class: `block${block.own ? ' own' : ''}${block.text ? '' : ' empty'}`, dataset: { block: block.name } },
        long ? h('details', null, h('summary', null, head), text) : [head, text]);
    }));
  }

  worker.addEventListener('change', () => schedule(0));
  range.addEventListener('input', () => { touched = true; number.value = range.value; schedule(); });
  number.addEventListener('input', () => { touched = true; range.value = number.value; schedule(); });
  previous.addEventListener('click', () => { touched = true; setPass(Math.max(1, current() - 1)); schedule(0); });
  next.addEventListener('click', () => { touched = true; setPass(Math.min(maxPass(), current() + 1)); schedule(0); });
  root.addEventListener('toggle', () => schedule(0));

  let lastMax = 0;
  return {
    /** Keeps the worker list and the pass range current; follows the newest pass until the user moves it. */
    update() {
      const names = workers();
      if (worker.options.length !== names.length) {
        const chosen = worker.value;
        fill(worker, names.map((n) => option(n, n, n === chosen)));
      }
      const max = maxPass();
      if (max !== lastMax) {
        lastMax = max;
        range.max = String(max);
        number.max = String(max);
        setText(maxLabel, `of ${max}`);
        if (!touched) {
          setPass(max);
          if (root.open) schedule(400);
        }
      }
    },
    open(name, pass) {
      touched = true;
      this.update();
      worker.value = name;
      setPass(Math.min(Math.max(1, pass), maxPass()));
      root.open = true;
      schedule(0);
      root.scrollIntoView({ behavior: 'smooth', block: 'start' });
    },
    dispose() {
      clearTimeout(timer);
    },
  };
}

function delay(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}
