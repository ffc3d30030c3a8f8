// Per-agent tokens of the town API: made here, stored hashed in the town store (`api_tokens`), handed to the agent
// in a 0600 file. A token names one agent and the agent's incarnation (a polecat's row as it was when the token was
// made): removing the polecat, or removing it and making a new one of the same name, leaves the old token dead.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { GtError, writeFileAtomic } from '../kernel/index.ts';
import type { SchemaPart, Store } from '../beads/index.ts';
import { formatAddress, parseAddress, rigNames, type AgentAddress, type TownContext } from '../town/index.ts';
import { getPolecat } from '../work/polecats/table.ts';

/** The table's schema part (docs/formats/town-api.md): this module owns it and every query on it. */
const TOKENS_TABLE = `CREATE TABLE IF NOT EXISTS api_tokens (
  id TEXT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  address TEXT NOT NULL,
  incarnation TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
)`;

export interface TokenRow {
  id: string;
  address: string;
  incarnation: string;
  created_at: string;
  revoked_at: string | null;
}

export const API_TOKENS_PART: SchemaPart = { name: 'api_tokens', migrations: [{ version: 1, sql: TOKENS_TABLE }] };

const ensured = new WeakSet<Store>();

export function ensureTokensTable(store: Store): void {
  if (ensured.has(store)) return;
  store.use(API_TOKENS_PART);
  ensured.add(store);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Where an agent's token file lives: `<town>/.runtime/tokens/<address with / as _>.token`, in a 0700 directory. */
export function tokenFileOf(town: TownContext, address: string): string {
  return join(town.paths.runtime, 'tokens', `${address.replaceAll('/', '_')}.token`);
}

/**
 * What makes this agent this agent: a polecat's row creation time, a crew member's directory, a rig role's rig.
 * Undefined when the agent does not exist (then no token is made, and existing ones are refused).
 */
export function incarnationOf(town: TownContext, store: Store, a: AgentAddress): string | undefined {
  switch (a.kind) {
    case 'mayor':
      return 'mayor';
    case 'polecat':
      return getPolecat(store, a.rig, a.name)?.created_at;
    case 'crew':
      return existsSync(town.paths.crew(a.rig, a.name)) ? `crew:${a.rig}/${a.name}` : undefined;
    case 'refinery':
    case 'witness':
      return rigNames(town).includes(a.rig) ? `${a.kind}:${a.rig}` : undefined;
    default:
      return undefined;
  }
}

export interface IssuedToken {
  id: string;
  address: string;
  token: string;
  file: string;
}

/** Make a token for the agent at `addressText`, store its hash, write it to the agent's token file (0600). */
export function issueToken(town: TownContext, store: Store, addressText: string): IssuedToken {
  ensureTokensTable(store);
  const a = parseAddress(town, addressText);
  const address = formatAddress(a);
  const incarnation = incarnationOf(town, store, a);
  if (incarnation === undefined) {
    throw new GtError('GT_NO_AGENT', `"${address}" is not an agent of this town, so it gets no token`, {
      hint: "see the agents with gt agents; a token is for the mayor, a polecat, a crew member, or a rig's refinery or witness",
    });
  }
  const token = `gtt_${randomBytes(32).toString('base64url')}`;
  const hash = hashToken(token);
  const id = hash.slice(0, 12);
  store.write(() =>
    store.db.run(
      'INSERT INTO api_tokens (id, hash, address, incarnation, created_at) VALUES (?, ?, ?, ?, ?)',
      id,
      hash,
      address,
      incarnation,
      store.now(),
    ),
  );
  const file = tokenFileOf(town, address);
  const dir = join(town.paths.runtime, 'tokens');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  writeFileAtomic(file, `${token}\n`, { mode: 0o600 });
  return { id, address, token, file };
}

/** The live token row for `token`, or why there is none (never which part was wrong beyond that). */
export function lookupToken(
  town: TownContext,
  store: Store,
  token: string,
): TokenRow | 'unknown' | 'revoked' | 'agent-gone' {
  ensureTokensTable(store);
  const row = store.db.get<TokenRow>(
    'SELECT id, address, incarnation, created_at, revoked_at FROM api_tokens WHERE hash = ?',
    hashToken(token),
  );
  if (!row) return 'unknown';
  if (row.revoked_at) return 'revoked';
  let now: string | undefined;
  try {
    now = incarnationOf(town, store, parseAddress(town, row.address));
  } catch {
    now = undefined;
  }
  return now === row.incarnation ? row : 'agent-gone';
}

export function listTokens(store: Store): TokenRow[] {
  ensureTokensTable(store);
  return store.db.all<TokenRow>(
    'SELECT id, address, incarnation, created_at, revoked_at FROM api_tokens ORDER BY created_at, id',
  );
}

/** Revoke every live token of an address, or the one with this id; returns the ids revoked. */
export function revokeTokens(town: TownContext, store: Store, what: string): string[] {
  ensureTokensTable(store);
  const byId = store.db.all<{ id: string }>('SELECT id FROM api_tokens WHERE id = ? AND revoked_at IS NULL', what);
  let ids = byId.map((r) => r.id);
  if (ids.length === 0) {
    const address = formatAddress(parseAddress(town, what));
    ids = store.db
      .all<{ id: string }>('SELECT id FROM api_tokens WHERE address = ? AND revoked_at IS NULL', address)
      .map((r) => r.id);
  }
  const now = store.now();
  store.write(() => {
    for (const id of ids) store.db.run('UPDATE api_tokens SET revoked_at = ? WHERE id = ?', now, id);
  });
  return ids;
}
