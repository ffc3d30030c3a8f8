// Who may talk to the dashboard. Loopback is no trust boundary on a shared machine, so every API route and the
// event stream need the town's token, which only the town's owner can read (<town>/.runtime/dashboard-token, 0600):
// a script sends it as `Authorization: Bearer`; a browser opens the URL `gt dashboard` prints (`?token=`) once and
// then holds two secrets derived from it: an HttpOnly SameSite=Strict cookie, and a page key kept in the origin's
// own storage and sent as `X-GT-CSRF`. Cookies are sent to every port of a host, so a cookie alone would leak to
// another local user's server on 127.0.0.1:<other port>; the page key never leaves its origin. Only the static page
// loads without them. The Host must name this server (DNS rebinding); state changes must come from our own origin.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { writeFileAtomic } from '../../kernel/index.ts';
import type { TownContext } from '../../town/index.ts';
import { HttpError } from './errors.ts';

const LOOPBACK_NAMES = new Set(['localhost', '::1', '[::1]']);

export function isLoopback(bind: string): boolean {
  return LOOPBACK_NAMES.has(bind.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(bind);
}

export function tokenPath(town: TownContext): string {
  return join(town.paths.runtime, 'dashboard-token');
}

/** Why an existing token file cannot be trusted (someone else could read or have written it), or undefined. */
function unsafeTokenFile(path: string): string | undefined {
  const st = lstatSync(path);
  if (!st.isFile()) return 'it is not a regular file';
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return `it belongs to uid ${st.uid}`;
  if ((st.mode & 0o077) !== 0) return `other users could read it (mode ${(st.mode & 0o777).toString(8)})`;
  return undefined;
}

export interface TownToken {
  token: string;
  path: string;
  /** Made now (first start, or the old file could not be trusted: `replaced` says why). */
  created: boolean;
  replaced?: string;
}

/** The town's dashboard token: read, or made and stored 0600. A file others could read is replaced by a new token. */
export function loadOrCreateToken(town: TownContext): TownToken {
  const path = tokenPath(town);
  let replaced: string | undefined;
  try {
    replaced = unsafeTokenFile(path);
    if (replaced === undefined) {
      const token = readFileSync(path, 'utf8').trim();
      if (token.length >= 32) return { token, path, created: false };
      replaced = 'it was too short';
    }
    rmSync(path, { force: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const token = randomBytes(32).toString('base64url');
  mkdirSync(town.paths.runtime, { recursive: true });
  writeFileAtomic(path, `${token}\n`, { mode: 0o600 });
  return { token, path, created: true, ...(replaced ? { replaced } : {}) };
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** A secret for one purpose, derived from the town token (stable across server restarts, useless for any other). */
export function derivedSecret(token: string, purpose: 'cookie' | 'page-key'): string {
  return createHmac('sha256', token).update(`gt-dashboard-${purpose}-v1`).digest('base64url');
}

/** Constant time, whatever the lengths: both sides are hashed to 32 bytes first. */
export function sameSecret(a: string | undefined, b: string): boolean {
  if (a === undefined || b === '') return false;
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

/** The cookie's name: one per town, so two towns' dashboards on one host (cookies ignore ports) keep their own. */
export function cookieName(town: TownContext): string {
  return `gt_${createHash('sha256').update(town.root).digest('hex').slice(0, 12)}`;
}

function hostName(host: string): string {
  const h = host.toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const i = h.lastIndexOf(':');
  return i === -1 ? h : h.slice(0, i);
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * The Host names this server answers to. A loopback bind: loopback names only. A wildcard bind (0.0.0.0, ::): IP
 * literals, localhost and this machine's name. Another address: that address and this machine's name. A DNS-rebinding
 * page arrives with its own domain name in Host, and is refused.
 */
export function hostAllowed(bind: string): (host: string) => boolean {
  const b = bind.toLowerCase();
  const machine = hostname().toLowerCase();
  const names = new Set([machine, `${machine}.local`]);
  if (isLoopback(b)) return (h) => isLoopback(hostName(h));
  if (b === '0.0.0.0' || b === '::' || b === '[::]') {
    return (h) => {
      const n = hostName(h);
      return IPV4.test(n) || n.startsWith('[') || n === 'localhost' || names.has(n);
    };
  }
  const own = b.includes(':') && !b.startsWith('[') ? `[${b}]` : b;
  return (h) => {
    const n = hostName(h);
    return n === own || names.has(n);
  };
}

/** Paths that load without the token: the page and its assets, which hold no town data. */
export function isStatic(path: string): boolean {
  return path === '/' || path === '/favicon.ico' || path.startsWith('/assets/');
}

export interface AuthOptions {
  bind: string;
  token: string;
  cookie: string;
}

/**
 * Every request: a Host naming this server. `GET …?token=<token>`: set the cookie and redirect to the same path without
 * the token, the page key in the fragment (the page stores it and clears the address bar). Anything but the static page:
 * `Authorization: Bearer <token>`, or the cookie and the page key (header `X-GT-CSRF`; the event stream, which cannot
 * send headers, also takes `?csrf=`). Else 401.
 */
export function authGuard(opts: AuthOptions): MiddlewareHandler {
  const allowed = hostAllowed(opts.bind);
  const cookieValue = derivedSecret(opts.token, 'cookie');
  const pageKey = derivedSecret(opts.token, 'page-key');
  return async (c, next) => {
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    if (!allowed(host)) {
      throw new HttpError(403, 'GT_DASHBOARD_HOST', `host "${host}" is not this dashboard's address`, {
        hint: `open the address gt dashboard printed (bound to ${opts.bind})`,
      });
    }
    const query = c.req.query('token');
    if (query !== undefined && c.req.method === 'GET') {
      if (!sameSecret(query, opts.token)) throw tokenError('the token in the address is wrong');
      const url = new URL(c.req.url);
      url.searchParams.delete('token');
      setCookie(c, opts.cookie, cookieValue, { httpOnly: true, sameSite: 'Strict', path: '/' });
      c.header('cache-control', 'no-store');
      // One leading slash: `//host/…` would leave this server.
      return c.redirect(`/${url.pathname.replace(/^\/+/, '')}${url.search}#key=${pageKey}`, 302);
    }
    if (isStatic(c.req.path) && (c.req.method === 'GET' || c.req.method === 'HEAD')) return next();
    const auth = c.req.header('authorization');
    if (auth !== undefined) {
      if (!auth.startsWith('Bearer ') || !sameSecret(auth.slice(7).trim(), opts.token))
        throw tokenError('the token in the Authorization header is wrong');
      return next();
    }
    const cookie = getCookie(c, opts.cookie);
    const key =
      c.req.header('x-gt-csrf') ??
      (c.req.method === 'GET' && c.req.path === '/api/events' ? c.req.query('csrf') : undefined);
    if (cookie === undefined && key === undefined) throw tokenError('this dashboard needs its token');
    if (!sameSecret(cookie, cookieValue) || !sameSecret(key, pageKey))
      throw tokenError('this page is not signed in to the dashboard (or its token changed)');
    return next();
  };
}

function tokenError(message: string): HttpError {
  return new HttpError(401, 'GT_DASHBOARD_TOKEN', message, {
    hint: "open the URL gt dashboard printed (it carries ?token=…), or send Authorization: Bearer <token>; only the town's owner can read the token in <town>/.runtime/dashboard-token",
  });
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * State changes must come from our own origin when the browser says where it comes from (Origin, else Referer). The
 * page's cross-site protection is the page key in `X-GT-CSRF`, which authGuard already required: a form on another
 * site can neither read it nor set a header.
 */
export function csrfGuard(): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE.has(c.req.method)) return next();
    const own = `${new URL(c.req.url).protocol}//${c.req.header('host') ?? new URL(c.req.url).host}`;
    const origin = c.req.header('origin');
    const referer = c.req.header('referer');
    const from = origin ?? (referer ? originOf(referer) : undefined);
    if (from !== undefined && from !== own)
      throw new HttpError(403, 'GT_CSRF', `cross-origin request from ${from} refused`);
    return next();
  };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid';
  }
}
