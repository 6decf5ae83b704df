// What one worker read at lockstep pass N: its view's blocks in order, each with its text and token count. The
// orchestrator's view endpoint answers this when it has one; otherwise it is rebuilt here from the session plan
// (blocks, each worker's view) and the event log.
//
// Rebuilding: a pass writes what the previous passes produced, so the view at pass N holds the prefill and
// everything events with lockstep < N wrote: step prefixes, self-check questions, token texts and finisher texts
// go into the writer's own block (the last of its view); a promotion moves a step block's text to the end of its
// target block and empties it. Token counts start from the prefill, the views reported at each step's end and the
// history lengths reported at each promotion (each the cache after that pass's writes, so without what events of
// that pass produced), plus the tokens generated since; a block fed a prefix or question since, whose token count
// no event gives, is marked as a lower bound.

/** The blocks of {@code worker}'s view at {@code pass}, rebuilt from {@code plan} and {@code events}. */
export function rebuildView(plan, events, worker, pass) {
  const blockSpecs = new Map((plan?.blocks ?? []).map((b) => [b.name, b]));
  const workerSpecs = Array.isArray(plan?.workers) ? plan.workers : [];
  let order = workerSpecs.find((w) => w.name === worker)?.view;
  if (!Array.isArray(order)) {
    // No plan: the order the worker last reported at a step's end.
    const reported = [...events].reverse().find((e) => e.type === 'STEP_FINISHED' && e.data?.worker === worker
      && Array.isArray(e.data.view));
    order = reported ? reported.data.view.map((b) => b.block) : [];
  }
  const writes = new Map(workerSpecs.filter((w) => Array.isArray(w.view) && w.view.length)
    .map((w) => [w.name, w.view[w.view.length - 1]]));
  const blockOf = (name) => writes.get(name) ?? `step-${String(name).toLowerCase()}`;
  const text = new Map([...blockSpecs.values()].map((b) => [b.name, b.text ?? '']));
  // Per block: a reported length and the writes since, each with its pass and token count (null: not known).
  const counts = new Map();
  const count = (block, n, at) => {
    if (Number.isFinite(n)) {
      const pending = (counts.get(block)?.pending ?? []).filter((write) => write.at >= at);
      counts.set(block, { base: n, pending });
    }
  };
  const write = (block, value, at, tokens) => {
    if (value) text.set(block, (text.get(block) ?? '') + value);
    counts.get(block)?.pending.push({ at, tokens });
  };
  let writing = null;
  for (const event of events) {
    const at = event.lockstep;
    if (!Number.isFinite(at) || at >= pass) continue;
    const d = event.data ?? {};
    switch (event.type) {
      case 'PREFILL_FINISHED':
        Object.entries(d.tokens ?? {}).forEach(([block, n]) => count(block, n, at));
        break;
      case 'STEP_STARTED':
        write(blockOf(d.worker), d.prefix, at, null);
        if (d.worker === worker) writing = d.step;
        break;
      case 'SELF_CHECK_INSERTED':
      case 'FINISHER_STARTED':
        write(blockOf(d.worker), d.question ?? d.text, at, null);
        break;
      case 'TOKENS':
        // An EOS is never written to the cache.
        write(blockOf(d.worker), d.text, at, Array.isArray(d.token_ids) && !d.eos ? d.token_ids.length : 0);
        break;
      case 'STEP_FINISHED':
        (Array.isArray(d.view) ? d.view : []).forEach((b) => count(b.block, b.length, at));
        break;
      case 'STEP_PROMOTED': {
        const source = d.source ?? blockOf(d.worker);
        if (d.target) text.set(d.target, (text.get(d.target) ?? '') + (text.get(source) ?? ''));
        text.set(source, '');
        count(source, 0, at);
        if (d.target) count(d.target, d.history_length, at);
        break;
      }
      default:
        break;
    }
  }
  return {
    source: 'rebuilt',
    worker,
    pass,
    writing,
    blocks: order.map((name, i) => ({
      name,
      role: blockSpecs.get(name)?.role ?? null,
      text: text.get(name) ?? '',
      tokens: counts.has(name) ? counts.get(name).pending.reduce((n, w) => n + (w.tokens ?? 0), counts.get(name).base) : null,
      atLeast: counts.get(name)?.pending.some((w) => w.tokens == null) ?? false,
      own: i === order.length - 1,
    })),
  };
}

/** The orchestrator's answer in the same shape, read defensively (null when it holds no recognisable blocks). */
export function viewFromEndpoint(body, worker, pass) {
  const list = Array.isArray(body) ? body : body?.blocks ?? body?.view ?? null;
  if (Array.isArray(list)) {
    return {
      source: 'orchestrator',
      worker,
      pass,
      writing: body?.step ?? null,
      blocks: list.map((b, i) => ({
        name: b.block ?? b.name ?? `block ${i + 1}`,
        role: b.role ?? null,
        text: typeof b.text === 'string' ? b.text : '',
        tokens: Number.isFinite(b.length) ? b.length : Number.isFinite(b.tokens) ? b.tokens : null,
        atLeast: false,
        own: i === list.length - 1,
      })),
    };
  }
  if (typeof body?.text === 'string') {
    return { source: 'orchestrator', worker, pass, writing: null,
      blocks: [{ name: 'view', role: null, text: body.text, tokens: null, atLeast: false, own: true }] };
  }
  return null;
}
