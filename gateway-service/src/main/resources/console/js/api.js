// Calls to the gateway with the admin key: JSON requests, RFC 9457 problems as ApiError, and server-sent events read
// with fetch (EventSource cannot send an Authorization header).

const KEY = 'hogwild.console.key';

/** The gateway's root, relative to this page (/console/), so the console also works behind a path prefix. */
const ROOT = new URL('../', document.baseURI);

export const session = {
  key: () => sessionStorage.getItem(KEY),
  save: (key) => sessionStorage.setItem(KEY, key),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, problem = {}, retryAfterSeconds = null) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** One line for people: the problem's title and detail. */
  describe() {
    const { title, detail } = this.problem;
    if (this.status === 0) return `The gateway cannot be reached (${detail || 'network error'}).`;
    if (title && detail && title !== detail) return `${title}: ${detail}`;
    return detail || title || `HTTP ${this.status}`;
  }
}

let unauthorizedHandler = () => {};

/** Called when the stored key is refused (401), e.g. because it was revoked while the page was open. */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

export function url(path) {
  return new URL(path.replace(/^\//, ''), ROOT);
}

function headers(key, extra) {
  const out = { Accept: 'application/json', ...extra };
  if (key) out.Authorization = `Bearer ${key}`;
  return out;
}

async function problemOf(response) {
  let problem = {};
  try {
    const text = await response.text();
    problem = text ? JSON.parse(text) : {};
  } catch {
    problem = {};
  }
  if (typeof problem !== 'object' || problem === null) problem = {};
  problem.title ??= response.statusText || `HTTP ${response.status}`;
  const retryAfter = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
  return new ApiError(response.status, problem, Number.isFinite(retryAfter) ? retryAfter : null);
}

async function send(method, path, { body, key = session.key(), signal } = {}) {
  let response;
  try {
    response = await fetch(url(path), {
      method,
      headers: headers(key, body === undefined ? {} : { 'Content-Type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
      signal,
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { title: 'Network error', detail: e.message });
  }
  if (!response.ok) {
    const error = await problemOf(response);
    if (error.status === 401 && key && key === session.key()) unauthorizedHandler(error);
    throw error;
  }
  return response.status === 204 ? null : response.json();
}

export const api = {
  get: (path, options) => send('GET', path, options),
  post: (path, body, options) => send('POST', path, { ...options, body }),
};

/**
 * Reads one server-sent event stream until it ends; resolves when the server closes it. Each event goes to
 * {@code onEvent({id, event, data})}, data parsed as JSON. {@code lastEventId} resumes after that event.
 */
export async function readEvents(path, { lastEventId, signal, onOpen, onEvent }) {
  const key = session.key();
  const extra = { Accept: 'text/event-stream' };
  if (lastEventId) extra['Last-Event-ID'] = lastEventId;
  let response;
  try {
    response = await fetch(url(path), { headers: headers(key, extra), cache: 'no-store', credentials: 'omit', signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { title: 'Network error', detail: e.message });
  }
  if (!response.ok) {
    const error = await problemOf(response);
    if (error.status === 401 && key === session.key()) unauthorizedHandler(error);
    throw error;
  }
  onOpen?.();
  const parser = new EventStreamParser(onEvent);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    parser.push(value);
  }
}

/** The text/event-stream format (WHATWG HTML, server-sent events), fed chunk by chunk. */
export class EventStreamParser {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.buffer = '';
    this.reset();
  }

  reset() {
    this.data = [];
    this.event = null;
    this.id = null;
  }

  push(chunk) {
    this.buffer += chunk;
    for (;;) {
      const end = /\r\n|\n|\r/.exec(this.buffer);
      // A lone CR at the end may be the first half of a CRLF split across chunks.
      if (!end || (end[0] === '\r' && end.index === this.buffer.length - 1)) return;
      const line = this.buffer.slice(0, end.index);
      this.buffer = this.buffer.slice(end.index + end[0].length);
      this.line(line);
    }
  }

  line(line) {
    if (line === '') {
      if (this.data.length) {
        const raw = this.data.join('\n');
        let data;
        try {
          data = JSON.parse(raw);
        } catch {
          data = raw;
        }
        this.onEvent({ id: this.id, event: this.event, data });
      }
      this.reset();
      return;
    }
    if (line.startsWith(':')) return; // a comment (keep-alive)
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
  }
}
