// A short message in the top bar (a rate limit, a failed refresh), cleared after a while.
const notice = document.getElementById('notice');
let timer = null;

export function notify(text) {
  notice.textContent = text ?? '';
  notice.hidden = !text;
  clearTimeout(timer);
  if (text) timer = setTimeout(() => notify(''), 8000);
}

/**
 * Runs {@code load} now and then every {@code everyMs} while the tab is visible (when repeating), one call at a time,
 * until stopped; waits at least the Retry-After of a 429.
 */
export function poller(load, everyMs) {
  let handle = null;
  let running = false;
  let again = false;
  let repeat = true;
  let stopped = false;
  const tick = async () => {
    handle = null;
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    let wait = everyMs;
    try {
      if (document.visibilityState !== 'hidden') await load();
    } catch (e) {
      if (e?.status === 429 && e.retryAfterSeconds) wait = Math.max(wait, e.retryAfterSeconds * 1000);
    } finally {
      running = false;
    }
    if (stopped) return;
    if (again) {
      again = false;
      handle = setTimeout(tick, 0);
    } else if (repeat) {
      handle = setTimeout(tick, wait);
    }
  };
  return {
    /** Loads at once (after the call in flight, if any). */
    now() {
      clearTimeout(handle);
      tick();
    },
    repeat(on) {
      repeat = on;
      if (on) this.now();
      else clearTimeout(handle);
    },
    stop() {
      stopped = true;
      clearTimeout(handle);
    },
  };
}
