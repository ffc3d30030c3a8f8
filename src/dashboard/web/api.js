// The page's client of the dashboard's HTTP API (docs/dashboard.md). Every request carries the page key (X-GT-CSRF)
// beside the HttpOnly cookie: the server put the key in the address's fragment when the owner opened the token URL;
// it is kept in this origin's storage (no other port or site can read it) and removed from the address bar.

/** An error answer of the API: stable code, message, optional hint and the dotted field it is about. */
export class ApiError extends Error {
  constructor(status, body) {
    const e = body?.error ?? {};
    super(e.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = e.code ?? 'GT_HTTP';
    this.hint = e.hint;
    this.field = e.field;
  }
}

const KEY = 'gt-dashboard-key';
let csrf = takeKey();

/** The page key: from the fragment `#key=…` after signing in (stored, then cleared from the address), else stored. */
function takeKey() {
  const m = /^#key=([A-Za-z0-9_-]+)$/.exec(location.hash);
  if (m) {
    try {
      window.localStorage.setItem(KEY, m[1]);
    } catch {
      // storage refused (private mode): the key lives as long as the page
    }
    history.replaceState(null, '', location.pathname + location.search);
    return m[1];
  }
  try {
    return window.localStorage.getItem(KEY) ?? '';
  } catch {
    return '';
  }
}

let signedOut = null;

/** Call `fn(error)` when the server says this page is not signed in (401: a new token, or never signed in). */
export function onSignedOut(fn) {
  signedOut = fn;
}

/** The page key, for the event stream (EventSource cannot send headers). */
export function pageKey() {
  return csrf;
}

/** Remember the page key (from /api/session or the event stream's hello). */
export function setCsrf(value) {
  if (value) csrf = value;
}

/** GET /api/session: town name, csrf, whether costs exist. */
export async function session() {
  const s = await get('/api/session');
  setCsrf(s.csrf);
  return s;
}

async function parse(res) {
  const text = await res.text();
  let body;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { error: { code: 'GT_BAD_ANSWER', message: text.slice(0, 200) } };
  }
  if (!res.ok) {
    const e = new ApiError(res.status, body);
    if (res.status === 401) signedOut?.(e);
    throw e;
  }
  return body;
}

const keyHeader = () => (csrf ? { 'X-GT-CSRF': csrf } : {});

/** GET a JSON route. */
export async function get(path) {
  return parse(
    await fetch(path, { headers: { Accept: 'application/json', ...keyHeader() }, credentials: 'same-origin' }),
  );
}

/** POST/PUT a JSON body. */
export async function send(method, path, body = {}) {
  return parse(
    await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...keyHeader() },
      body: JSON.stringify(body),
    }),
  );
}

export const post = (path, body) => send('POST', path, body);
export const put = (path, body) => send('PUT', path, body);
export const enc = encodeURIComponent;
