// Who may talk to the dashboard: loopback binds trust the machine (but check Host against DNS rebinding); other
// binds need the town's token; every state change needs the per-server CSRF secret and a same-origin request.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { writeFileAtomic } from '../../kernel/index.ts';
import type { TownContext } from '../../town/index.ts';
import { HttpError } from './errors.ts';

export const TOKEN_COOKIE = 'gt_token';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopback(bind: string): boolean {
  return LOOPBACK_HOSTS.has(bind) || /^127\.\d+\.\d+\.\d+$/.test(bind);
}

export function tokenPath(town: TownContext): string {
  return join(town.paths.runtime, 'dashboard-token');
}

/** The town's dashboard token: read, or made and stored (0600). `created` says whether it is new (print it then). */
export function loadOrCreateToken(town: TownContext): { token: string; created: boolean; path: string } {
  const path = tokenPath(town);
  if (existsSync(path)) {
    const token = readFileSync(path, 'utf8').trim();
    if (token.length >= 16) return { token, created: false, path };
  }
  const token = randomBytes(24).toString('base64url');
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, `${token}\n`, { mode: 0o600 });
  return { token, created: true, path };
}

export function newSecret(): string {
  return randomBytes(24).toString('base64url');
}

export function sameSecret(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function hostName(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const i = host.lastIndexOf(':');
  return i === -1 ? host : host.slice(0, i);
}

/** Loopback: the Host must be a loopback name. Otherwise: a valid token by header, cookie, or a first `?token=` visit. */
export function authGuard(opts: { loopback: boolean; token: string | undefined }): MiddlewareHandler {
  return async (c, next) => {
    if (opts.loopback) {
      const host = c.req.header('host') ?? new URL(c.req.url).host;
      if (!isLoopback(hostName(host))) {
        throw new HttpError(403, 'GT_DASHBOARD_HOST', `host "${host}" is not a loopback name; this dashboard answers only on 127.0.0.1 or localhost`);
      }
      return next();
    }
    const token = opts.token ?? '';
    const query = c.req.query('token');
    if (query !== undefined && sameSecret(query, token) && c.req.method === 'GET') {
      const url = new URL(c.req.url);
      url.searchParams.delete('token');
      setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/' });
      return c.redirect(`${url.pathname}${url.search}`, 302);
    }
    const auth = c.req.header('authorization');
    const given = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : (c.req.header('x-gt-token') ?? getCookie(c, TOKEN_COOKIE));
    if (!sameSecret(given, token)) {
      throw new HttpError(401, 'GT_DASHBOARD_TOKEN', given === undefined ? 'this dashboard needs its token' : 'the dashboard token is wrong', {
        hint: 'open the URL gt dashboard printed (it carries ?token=…), or send Authorization: Bearer <token>; the token is in <town>/.runtime/dashboard-token',
      });
    }
    return next();
  };
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** State changes need `X-GT-CSRF: <secret>` and, when the browser says where it comes from, our own origin. */
export function csrfGuard(secret: string): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE.has(c.req.method)) return next();
    if (!sameSecret(c.req.header('x-gt-csrf'), secret)) {
      throw new HttpError(403, 'GT_CSRF', 'missing or stale X-GT-CSRF header', { hint: 'fetch GET /api/session for the current csrf value and send it as X-GT-CSRF' });
    }
    const own = `${new URL(c.req.url).protocol}//${c.req.header('host') ?? new URL(c.req.url).host}`;
    const origin = c.req.header('origin');
    const referer = c.req.header('referer');
    const from = origin ?? (referer ? originOf(referer) : undefined);
    if (from !== undefined && from !== own) throw new HttpError(403, 'GT_CSRF', `cross-origin request from ${from} refused`);
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
