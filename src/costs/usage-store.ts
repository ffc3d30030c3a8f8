// The `usage` and `usage_sources` tables of the town store, and the facts attribution reads from the store (agents,
// hook history, convoy edges). This module owns the two tables: their schema part and every query on them.
import { trackingEdges, type SchemaPart, type Store } from '../beads/index.ts';
import { listAgentRecords } from '../agents/table.ts';
import { TOWN_EVENTS } from '../kernel/index.ts';
import type { AttributionFacts, Attribution } from './attribute.ts';
import type { UsageRecord } from './transcript.ts';
import { townEventsMatching } from '../town/index.ts';

/** The tables as the store's migration 5 created them (adopted as they are in towns made before schema parts). */
export const USAGE_PART: SchemaPart = {
  name: 'usage',
  migrations: [
    {
      version: 1,
      sql: `
CREATE TABLE IF NOT EXISTS usage (
  id TEXT PRIMARY KEY,
  session_id TEXT,
  address TEXT,
  rig TEXT,
  bead TEXT,
  convoy TEXT,
  model TEXT NOT NULL,
  input INTEGER NOT NULL DEFAULT 0,
  output INTEGER NOT NULL DEFAULT 0,
  cache_read INTEGER NOT NULL DEFAULT 0,
  cache_write INTEGER NOT NULL DEFAULT 0,
  at TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS usage_at ON usage(at);
CREATE INDEX IF NOT EXISTS usage_address ON usage(address, at);
CREATE INDEX IF NOT EXISTS usage_convoy ON usage(convoy);
CREATE TABLE IF NOT EXISTS usage_sources (
  path TEXT PRIMARY KEY,
  session_id TEXT,
  address TEXT,
  offset INTEGER NOT NULL DEFAULT 0,
  size INTEGER NOT NULL DEFAULT 0,
  mtime_ms INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL
) STRICT;
`,
    },
  ],
};

export interface UsageRow extends Attribution {
  id: string;
  session_id: string | null;
  model: string;
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  at: string;
}

export interface UsageSource {
  path: string;
  session_id: string | null;
  address: string | null;
  offset: number;
  size: number;
  mtime_ms: number;
}

export function readFacts(store: Store): AttributionFacts {
  const agents = listAgentRecords(store);
  const sessions = new Map<string, string>();
  for (const s of store
    .use(USAGE_PART)
    .all<{ session_id: string; address: string }>(
      'SELECT session_id, address FROM usage_sources WHERE session_id IS NOT NULL AND address IS NOT NULL',
    ))
    sessions.set(s.session_id, s.address);
  for (const a of agents) if (a.session_id) sessions.set(a.session_id, a.address);
  const hooks = new Map<string, { at: string; bead: string }[]>();
  for (const e of townEventsMatching(store, { kind: TOWN_EVENTS.sling.hooked })) {
    if (e.subject === null) continue;
    const polecat = polecatOf(e.data);
    if (!polecat) continue;
    const list = hooks.get(polecat) ?? [];
    list.push({ at: e.at, bead: e.subject });
    hooks.set(polecat, list);
  }
  const convoys = new Map<string, string>();
  // Open convoys win over closed ones; among equals, the newest.
  for (const e of trackingEdges(store, 'convoy')) convoys.set(e.bead, e.tracker);
  return {
    sessions,
    workdirs: agents.filter((a) => a.workdir).map((a) => ({ dir: a.workdir!, address: a.address })),
    hooks,
    hooked: new Map(agents.filter((a) => a.hooked_bead).map((a) => [a.address, a.hooked_bead!])),
    convoys,
  };
}

function polecatOf(data: unknown): string | undefined {
  const v = data as { polecat?: unknown } | null;
  return v && typeof v === 'object' && typeof v.polecat === 'string' ? v.polecat : undefined;
}

/**
 * Insert records; a message id seen before keeps its attribution and takes the larger token counts (a response
 * read while it was still streaming is completed by the next read). Returns how many ids were new.
 */
export function upsertUsage(store: Store, rows: readonly (UsageRecord & Attribution)[]): number {
  let added = 0;
  store.write(() => {
    for (const r of rows) {
      const had = store.use(USAGE_PART).get<{ id: string }>('SELECT id FROM usage WHERE id = ?', r.id);
      store.use(USAGE_PART).run(
        `INSERT INTO usage (id, session_id, address, rig, bead, convoy, model, input, output, cache_read, cache_write, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET input = max(input, excluded.input), output = max(output, excluded.output),
           cache_read = max(cache_read, excluded.cache_read), cache_write = max(cache_write, excluded.cache_write),
           address = COALESCE(address, excluded.address), rig = COALESCE(rig, excluded.rig),
           bead = COALESCE(bead, excluded.bead), convoy = COALESCE(convoy, excluded.convoy)`,
        r.id,
        r.session_id,
        r.address,
        r.rig,
        r.bead,
        r.convoy,
        r.model,
        r.input,
        r.output,
        r.cache_read,
        r.cache_write,
        r.at,
      );
      if (!had) added++;
    }
  });
  return added;
}

export function getSource(store: Store, path: string): UsageSource | undefined {
  return store
    .use(USAGE_PART)
    .get<UsageSource>(
      'SELECT path, session_id, address, offset, size, mtime_ms FROM usage_sources WHERE path = ?',
      path,
    );
}

export function listSources(store: Store): UsageSource[] {
  return store
    .use(USAGE_PART)
    .all<UsageSource>('SELECT path, session_id, address, offset, size, mtime_ms FROM usage_sources ORDER BY path');
}

export function saveSource(store: Store, s: UsageSource): void {
  store.write(() =>
    store.use(USAGE_PART).run(
      `INSERT INTO usage_sources (path, session_id, address, offset, size, mtime_ms, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(path) DO UPDATE SET session_id = COALESCE(excluded.session_id, session_id), address = COALESCE(excluded.address, address),
       offset = excluded.offset, size = excluded.size, mtime_ms = excluded.mtime_ms, updated_at = excluded.updated_at`,
      s.path,
      s.session_id,
      s.address,
      s.offset,
      s.size,
      s.mtime_ms,
      new Date().toISOString(),
    ),
  );
}

/** Usage rows at or after `since` (ISO), oldest first. */
export function usageRows(store: Store, since?: string): UsageRow[] {
  return store
    .use(USAGE_PART)
    .all<UsageRow>(
      'SELECT id, session_id, address, rig, bead, convoy, model, input, output, cache_read, cache_write, at FROM usage WHERE at >= ? ORDER BY at, id',
      since ?? '',
    );
}

/** Usage summed per convoy, agent, day and model: enough for spending per budget, far fewer rows than the responses. */
export function spendRows(store: Store): UsageRow[] {
  return store.use(USAGE_PART).all<UsageRow>(
    `SELECT convoy, address, substr(at, 1, 10) AS at, model, SUM(input) AS input, SUM(output) AS output,
       SUM(cache_read) AS cache_read, SUM(cache_write) AS cache_write
     FROM usage GROUP BY convoy, address, substr(at, 1, 10), model`,
  );
}

/** Whether the store can account costs: true once the usage tables exist (made here when missing). */
export function usageAvailable(store: Store): boolean {
  store.use(USAGE_PART);
  return true;
}
