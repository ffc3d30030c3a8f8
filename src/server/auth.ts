// Who is calling: the bearer token (or a Basic password, for git's credential helpers) resolved to a principal. The
// identity comes only from the token, never from the request; the owner's token is the dashboard's (one secret for
// the person who owns the town, `<town>/.runtime/dashboard-token`, 0600).
import { createHash, timingSafeEqual } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../beads/index.ts';
import { parseAddress, type AgentAddress, type TownContext } from '../town/index.ts';
import { lookupToken } from './tokens.ts';

export type Principal =
  { kind: 'owner'; address: 'overseer' } | { kind: 'agent'; address: string; agent: AgentAddress; tokenId: string };

export type AuthFailure = 'missing' | 'unknown' | 'revoked' | 'agent-gone';

/** The token a request carries: `Authorization: Bearer <t>`, or Basic with the token as the password. */
export function tokenOfRequest(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const [scheme, value] = authorization.trim().split(/\s+/, 2);
  if (!value) return undefined;
  if (scheme?.toLowerCase() === 'bearer') return value;
  if (scheme?.toLowerCase() === 'basic') {
    const text = Buffer.from(value, 'base64').toString('utf8');
    const i = text.indexOf(':');
    return i === -1 ? undefined : text.slice(i + 1) || undefined;
  }
  return undefined;
}

/** The owner's secret, if its file is there and only its owner can read it (a file others could read is ignored). */
export function ownerToken(town: TownContext): string | undefined {
  const path = join(town.paths.runtime, 'dashboard-token');
  try {
    const st = lstatSync(path);
    if (!st.isFile() || (st.mode & 0o077) !== 0) return undefined;
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return undefined;
    const t = readFileSync(path, 'utf8').trim();
    return t.length >= 32 ? t : undefined;
  } catch {
    return undefined;
  }
}

function same(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

export function authenticate(
  town: TownContext,
  store: Store,
  token: string | undefined,
  owner: string | undefined,
): Principal | AuthFailure {
  if (!token) return 'missing';
  if (owner !== undefined && same(token, owner)) return { kind: 'owner', address: 'overseer' };
  if (!token.startsWith('gtt_')) return 'unknown';
  const row = lookupToken(town, store, token);
  if (typeof row === 'string') return row;
  return { kind: 'agent', address: row.address, agent: parseAddress(town, row.address), tokenId: row.id };
}

export const AUTH_MESSAGES: Record<AuthFailure, { message: string; hint: string }> = {
  missing: {
    message: 'the town API needs a token',
    hint: "set GT_TOWN_TOKEN, or GT_TOWN_TOKEN_FILE to the agent's token file (the owner makes one with gt token issue <address>)",
  },
  unknown: {
    message: 'the town does not know this token',
    hint: 'check GT_TOWN_TOKEN or GT_TOWN_TOKEN_FILE; the owner can make a new one with gt token issue <address>',
  },
  revoked: { message: 'this token was revoked', hint: "ask the town's owner for a new one (gt token issue <address>)" },
  'agent-gone': {
    message: 'the agent this token was made for no longer exists (removed, or made again since)',
    hint: 'a new agent gets a new token: gt token issue <address>',
  },
};
