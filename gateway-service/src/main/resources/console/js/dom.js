// DOM building with text only: no HTML strings anywhere (the page's CSP requires Trusted Types for HTML sinks, and
// every text shown here, model output included, must stay text).

/** An element with properties/attributes and children (strings become text nodes; null/false are skipped). */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value == null || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'value' || name === 'checked' || name === 'selected') el[name] = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  return append(el, ...children);
}

/** Appends children (nested arrays are flattened). */
export function append(el, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, ...children);
}

/** Sets text only when it changed, so that a live page does not re-layout on every frame. */
export function setText(el, text) {
  const value = text == null ? '' : String(text);
  if (el.textContent !== value) el.textContent = value;
}

export function option(value, label, selected) {
  return h('option', { value, selected: selected || null }, label);
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export const fmt = {
  bytes(n) {
    if (!Number.isFinite(n)) return '—';
    let i = 0;
    let v = n;
    while (Math.abs(v) >= 1024 && i < BYTE_UNITS.length - 1) {
      v /= 1024;
      i++;
    }
    return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : 1)} ${BYTE_UNITS[i]}`;
  },
  duration(ms) {
    if (!Number.isFinite(ms) || ms < 0) return '—';
    if (ms < 1000) return `${Math.round(ms)} ms`;
    const s = ms / 1000;
    if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
    const m = Math.floor(s / 60);
    return m < 60 ? `${m} min ${Math.round(s - m * 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
  },
  time(value) {
    const d = toDate(value);
    return d ? d.toLocaleTimeString([], { hour12: false }) : '—';
  },
  dateTime(value) {
    const d = toDate(value);
    return d ? `${d.toLocaleDateString()} ${d.toLocaleTimeString([], { hour12: false })}` : '—';
  },
  ago(value, now = Date.now()) {
    const d = toDate(value);
    if (!d) return '—';
    const s = Math.max(0, Math.round((now - d.getTime()) / 1000));
    if (s < 60) return `${s} s ago`;
    if (s < 3600) return `${Math.floor(s / 60)} min ago`;
    if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
    return `${Math.floor(s / 86400)} d ago`;
  },
  rate(tokens, ms) {
    return Number.isFinite(tokens) && ms > 0 ? `${(tokens / (ms / 1000)).toFixed(1)} tok/s` : '—';
  },
  shortId(id) {
    return typeof id === 'string' ? id.slice(0, 8) : '—';
  },
};

export function toDate(value) {
  if (value == null || value === '') return null;
  const d = typeof value === 'number' ? new Date(value) : new Date(String(value));
  return Number.isNaN(d.getTime()) ? null : d;
}

export function millis(value) {
  const d = toDate(value);
  return d ? d.getTime() : null;
}

/** A status badge; the status is also the class, so each state has its colour. */
export function statusBadge(status, props = {}) {
  const value = status ?? 'UNKNOWN';
  return h('span', { ...props, class: `badge status-${String(value).toLowerCase()}` }, value);
}
