// The page's client of the dashboard's HTTP API (docs/dashboard.md): JSON reads, and actions carrying the CSRF secret.

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

let csrf = '';

/** Remember the CSRF secret (from /api/session or the event stream's hello). */
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
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

/** GET a JSON route. */
export async function get(path) {
  return parse(await fetch(path, { headers: { Accept: 'application/json' }, credentials: 'same-origin' }));
}

/**
 * POST/PUT a JSON body. A 403 GT_CSRF means the server restarted with a new secret: fetch it and retry once.
 */
export async function send(method, path, body = {}) {
  const attempt = () => fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-GT-CSRF': csrf },
    body: JSON.stringify(body),
  });
  let res = await attempt();
  if (res.status === 403) {
    const copy = res.clone();
    const b = await copy.json().catch(() => null);
    if (b?.error?.code === 'GT_CSRF') {
      await session();
      res = await attempt();
    }
  }
  return parse(res);
}

export const post = (path, body) => send('POST', path, body);
export const put = (path, body) => send('PUT', path, body);
export const enc = encodeURIComponent;
