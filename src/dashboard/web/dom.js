// Small DOM helpers: build elements without innerHTML (every string from the server is text, never markup).

/**
 * h('div.cls#id', { attr, onclick }, ...children): an element. Children may be strings, numbers, nodes, arrays,
 * or null/false (skipped). Attributes starting with `on` become listeners; `dataset` and `style` objects are merged.
 */
export function h(spec, attrs, ...children) {
  const [tagAndId, ...classes] = spec.split('.');
  const [tag, id] = tagAndId.split('#');
  const el = document.createElement(tag || 'div');
  if (id) el.id = id;
  if (classes.length) el.className = classes.join(' ');
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style') Object.assign(el.style, v);
    else if (k === 'class') el.className = [el.className, v].filter(Boolean).join(' ');
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** A state badge: the colour comes from the `s-<state>` class in base.css. */
export function badge(state, label) {
  return h('span.badge', { class: `s-${String(state).replace(/[^a-z0-9_-]/gi, '')}` }, label ?? state);
}

/** A PR state's badge colour: waiting (open, queued), moving (auto-merge), reworked, merged, closed unmerged. */
const PR_BADGE = {
  open: 'open',
  queued: 'queued',
  'auto-merge': 'running',
  rework: 'failed',
  merged: 'merged',
  closed: 'refused',
};

/**
 * A merge request's pull request (PR mode): its number linking to GitHub, its state, and what the refinery waits
 * for (checks, a review, branch protection: the refinery's own words). Only an http(s) URL becomes a link.
 */
export function pullRequest(p) {
  if (!p) return null;
  const label = `PR #${p.number}`;
  const link = /^https?:\/\//.test(p.url ?? '')
    ? h('a.pr-link', { href: p.url, target: '_blank', rel: 'noopener noreferrer' }, label)
    : h('span', label);
  return h(
    'span.pr',
    { dataset: { pr: String(p.number), state: p.state } },
    link,
    badge(PR_BADGE[p.state] ?? p.state, p.state),
    p.detail ? h('span.muted.pr-detail', p.detail) : null,
  );
}

/** A monospace id. */
export const id = (text) => (text ? h('span.id', { title: text }, text) : h('span.muted', '–'));

/** "12s ago", "5m ago", "3h ago", "2d ago" from an ISO time; the exact time in the title. */
export function ago(iso, now = Date.now()) {
  if (!iso) return h('span.muted', '–');
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return h('span.muted', String(iso));
  const s = Math.max(0, Math.round((now - t) / 1000));
  const text =
    s < 60
      ? `${s}s ago`
      : s < 3600
        ? `${Math.floor(s / 60)}m ago`
        : s < 86400
          ? `${Math.floor(s / 3600)}h ago`
          : `${Math.floor(s / 86400)}d ago`;
  return h('time', { datetime: iso, title: new Date(t).toLocaleString(), dataset: { ago: iso } }, text);
}

/** HH:MM:SS in local time. */
export function clock(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour12: false });
}

/** Replace a container's children in one step. */
export function fill(el, ...children) {
  const frag = document.createDocumentFragment();
  append(frag, children);
  el.replaceChildren(frag);
}

/** A table with a header row; `cols` are [label, className?]; rows are arrays of cells (or <tr> nodes). */
export function table(cols, rows, attrs = {}) {
  const head = h(
    'tr',
    cols.map(([label, cls]) => h('th', { class: cls }, label)),
  );
  const body = rows.map((r) =>
    r instanceof Node
      ? r
      : h(
          'tr',
          r.map((c, i) => h('td', { class: cols[i]?.[1] }, c)),
        ),
  );
  return h('div.table-wrap', h('table', attrs, h('thead', head), h('tbody', body)));
}

/** A short message that fades after a few seconds. */
export function toast(message, kind = '') {
  const box = document.getElementById('toasts');
  const el = h('div.toast', { class: kind, role: kind === 'bad' ? 'alert' : 'status' }, message);
  box.append(el);
  setTimeout(() => el.remove(), kind === 'bad' ? 8000 : 4000);
}

/**
 * Wrap a panel's draw function so it waits while the user is typing in a field inside `host` (a redraw would
 * throw away the text and the focus); it runs once the field loses focus.
 */
export function deferWhileEditing(host, draw) {
  let waiting = false;
  const run = (force = false) => {
    const a = document.activeElement;
    if (!force && a && host.contains(a) && /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName)) {
      if (!waiting) {
        waiting = true;
        host.addEventListener(
          'focusout',
          () =>
            setTimeout(() => {
              waiting = false;
              run();
            }, 0),
          { once: true },
        );
      }
      return;
    }
    draw();
  };
  return run;
}
