// One run folded from its event log (the same events the SSE stream replays and then follows live). Every field is
// read defensively: events this console does not know are kept (for the lockstep view) and otherwise ignored.

const FINAL = new Set(['FINISHED', 'FAILED', 'CANCELLED']);

export function createRunState(runId) {
  return {
    runId,
    status: null,
    layout: null,
    gpuWorker: null,
    workers: new Map(),
    history: [],
    selfChecks: [],
    answers: [],
    finishers: [],
    errors: [],
    events: [],
    lastEventId: null,
    maxLockstep: 0,
    passes: null,
    sessionTokens: null,
    sessionReason: null,
    finishReason: null,
    failureReason: null,
    cancelRequested: false,
    queuedAt: null,
    startedAt: null,
    endedAt: null,
    firstTokenAt: null,
    lastTokenAt: null,
    ended: false,
    version: 0,
  };
}

export function isFinal(status) {
  return FINAL.has(status);
}

/** Sets the status unless the run already reached a final one (those are never left). */
export function setStatus(state, status) {
  if (status && !isFinal(state.status)) state.status = status;
}

export function worker(state, name) {
  const key = name ?? '?';
  let w = state.workers.get(key);
  if (!w) {
    w = { name: key, index: state.workers.size, steps: new Map(), tokens: 0, state: 'waiting', current: null,
      firstTokenAt: null, lastTokenAt: null, version: 0 };
    state.workers.set(key, w);
  }
  return w;
}

function step(w, number, at, lockstep) {
  const n = Number(number) || 0;
  let s = w.steps.get(n);
  if (!s) {
    s = { number: n, prefix: '', selfCheck: null, segments: [], finishedText: null, tokens: 0, reportedTokens: null,
      startedAt: at, finishedAt: null, end: null, view: null, promoted: false, finisher: false, answer: null,
      firstPass: lockstep ?? null, lastPass: lockstep ?? null, version: 0 };
    w.steps.set(n, s);
  }
  if (Number.isFinite(lockstep)) s.lastPass = lockstep;
  s.version++;
  w.version++;
  return s;
}

/** What the worker generated in a step (prefix and self-check question excluded), finisher text marked. */
export function stepBody(s) {
  if (s.segments.length) return s.segments;
  if (s.finishedText) {
    // Joined after the tokens were streamed: the finished text holds prefix + question + body.
    const head = s.prefix + (s.selfCheck ?? '');
    const text = s.finishedText.startsWith(head) ? s.finishedText.slice(head.length) : s.finishedText;
    return [{ kind: 'text', text }];
  }
  return [];
}

/** The step as the cache holds it: prefix, self-check question, generated text and finisher. */
export function stepText(s) {
  return s.finishedText ?? s.prefix + (s.selfCheck ?? '') + s.segments.map((segment) => segment.text).join('');
}

export function bodyText(s) {
  return stepBody(s).filter((segment) => segment.kind === 'text').map((segment) => segment.text).join('');
}

function appendText(s, text, kind = 'text') {
  if (!text) return;
  const last = s.segments[s.segments.length - 1];
  if (last && last.kind === kind && kind === 'text') last.text += text;
  else s.segments.push({ kind, text });
}

export function applyEvent(state, event) {
  state.events.push(event);
  state.version++;
  if (event.id) state.lastEventId = event.id;
  const lockstep = Number.isFinite(event.lockstep) ? event.lockstep : null;
  if (lockstep != null) state.maxLockstep = Math.max(state.maxLockstep, lockstep);
  const d = event.data && typeof event.data === 'object' ? event.data : {};
  const at = Number.isFinite(event.at_millis) ? event.at_millis : null;
  switch (event.type) {
    case 'RUN_QUEUED':
      setStatus(state, state.status ?? 'QUEUED');
      state.queuedAt = at;
      state.layout ??= d.layout ?? null;
      (Array.isArray(d.workers) ? d.workers : []).forEach((name) => worker(state, name));
      break;
    case 'RUN_STARTED':
      setStatus(state, 'RUNNING');
      state.startedAt = at;
      state.gpuWorker = d.gpu_worker ?? state.gpuWorker;
      break;
    case 'RUN_RESUMED':
      // The session was rebuilt on another GPU worker from the log; its events go on where they stopped.
      state.gpuWorker = d.to_worker ?? state.gpuWorker;
      (state.resumed ??= []).push({ from: d.from_worker, to: d.to_worker, atLockstep: d.at_lockstep });
      break;
    case 'SESSION_STARTED':
      state.layout ??= d.layout ?? null;
      (Array.isArray(d.workers) ? d.workers : []).forEach((name) => worker(state, name));
      break;
    case 'STEP_STARTED': {
      const w = worker(state, d.worker);
      const s = step(w, d.step, at, lockstep);
      s.prefix = d.prefix ?? s.prefix;
      s.startedAt = at ?? s.startedAt;
      s.firstPass = lockstep ?? s.firstPass;
      w.current = s.number;
      if (w.state === 'waiting') w.state = 'generating';
      break;
    }
    case 'SELF_CHECK_INSERTED': {
      const w = worker(state, d.worker);
      const s = step(w, d.step, at, lockstep);
      s.selfCheck = d.question ?? '';
      state.selfChecks.push({ worker: w.name, step: s.number, question: s.selfCheck, tokensBefore: d.tokens ?? null });
      break;
    }
    case 'TOKENS': {
      const w = worker(state, d.worker);
      const s = step(w, d.step, at, lockstep);
      const n = Array.isArray(d.token_ids) ? d.token_ids.length : 0;
      appendText(s, typeof d.text === 'string' ? d.text : '');
      s.tokens += n;
      w.tokens += n;
      w.current = s.number;
      if (at != null) {
        w.firstTokenAt ??= at;
        w.lastTokenAt = at;
        state.firstTokenAt ??= at;
        state.lastTokenAt = at;
      }
      if (w.state === 'waiting') w.state = 'generating';
      break;
    }
    case 'STEP_FINISHED': {
      const s = step(worker(state, d.worker), d.step, at, lockstep);
      s.finishedText = typeof d.text === 'string' ? d.text : s.finishedText;
      s.finishedAt = at;
      s.end = d.end ?? null;
      s.view = Array.isArray(d.view) ? d.view : null;
      if (Number.isFinite(d.tokens)) s.reportedTokens = d.tokens;
      break;
    }
    case 'STEP_PROMOTED': {
      const w = worker(state, d.worker);
      const s = step(w, d.step, at, lockstep);
      s.promoted = true;
      state.history.push({ worker: w.name, workerIndex: w.index, step: s.number, prefix: s.prefix, text: stepText(s),
        target: d.target ?? null, length: d.history_length ?? null, lockstep });
      break;
    }
    case 'BUDGET_EXHAUSTED': {
      const w = worker(state, d.worker);
      step(w, d.step, at, lockstep);
      w.state = 'finishing';
      break;
    }
    case 'FINISHER_STARTED': {
      const w = worker(state, d.worker);
      const s = step(w, d.step, at, lockstep);
      s.finisher = true;
      appendText(s, d.text ?? '', 'finisher');
      w.state = 'finishing';
      state.finishers.push({ worker: w.name, step: s.number, text: d.text ?? '' });
      break;
    }
    case 'FINAL_ANSWER': {
      const w = worker(state, d.worker);
      const s = step(w, d.step, at, lockstep);
      s.answer = d.answer ?? null;
      state.answers.push({ worker: w.name, step: s.number, answer: d.answer ?? '' });
      break;
    }
    case 'SESSION_FINISHED':
      state.passes = Number.isFinite(d.lockstep_passes) ? d.lockstep_passes : state.passes;
      state.sessionTokens = Number.isFinite(d.tokens) ? d.tokens : state.sessionTokens;
      state.sessionReason = d.reason ?? null;
      for (const w of state.workers.values()) {
        w.state = 'done';
        w.version++;
      }
      break;
    case 'ERROR':
      state.errors.push(d.message ?? 'error');
      break;
    case 'CANCEL_REQUESTED':
      state.cancelRequested = true;
      break;
    case 'RUN_ENDED':
      setStatus(state, d.status ?? 'FINISHED');
      state.finishReason = d.finish_reason ?? null;
      state.failureReason = d.failure_reason ?? null;
      state.endedAt = at;
      state.ended = true;
      break;
    default:
      break; // kept in state.events only
  }
}

/** Tokens every worker generated, over the time between the first and the last token event. */
export function tokenRate(first, last, tokens) {
  return first != null && last != null && last > first ? tokens / ((last - first) / 1000) : null;
}
