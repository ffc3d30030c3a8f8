// The town store's `agents` table: who runs where, in which session, with which runtime, and what they hold. This
// module owns the table: its schema part and every query on it.
import type { SchemaPart, Store } from '../beads/index.ts';

/** The table as the store's migration 3 created it (adopted as it is in towns made before schema parts). */
export const AGENTS_PART: SchemaPart = {
  name: 'agents',
  migrations: [
    {
      version: 1,
      sql: `
CREATE TABLE IF NOT EXISTS agents (
  address TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  rig TEXT,
  name TEXT NOT NULL,
  runtime TEXT NOT NULL,
  session TEXT,
  workdir TEXT,
  state TEXT NOT NULL DEFAULT 'stopped',
  hooked_bead TEXT,
  session_id TEXT,
  started_at TEXT,
  heartbeat_at TEXT,
  last_activity TEXT,
  metadata TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS agents_rig ON agents(rig, role);
`,
    },
  ],
};

export type AgentState = 'starting' | 'working' | 'idle' | 'stuck' | 'dead' | 'stopped';

export interface AgentRecord {
  address: string;
  role: string;
  rig: string | null;
  name: string;
  runtime: string;
  session: string | null;
  workdir: string | null;
  state: AgentState;
  hooked_bead: string | null;
  session_id: string | null;
  started_at: string | null;
  heartbeat_at: string | null;
  last_activity: string | null;
}

const COLUMNS =
  'address, role, rig, name, runtime, session, workdir, state, hooked_bead, session_id, started_at, heartbeat_at, last_activity';

export function getAgent(store: Store, address: string): AgentRecord | undefined {
  return store.use(AGENTS_PART).get<AgentRecord>(`SELECT ${COLUMNS} FROM agents WHERE address = ?`, address);
}

export function listAgentRecords(store: Store): AgentRecord[] {
  return store.use(AGENTS_PART).all<AgentRecord>(`SELECT ${COLUMNS} FROM agents ORDER BY address`);
}

/** Record a session start: the row is created or replaced, keeping the hooked bead (the hook survives restarts). */
export function recordStart(store: Store, rec: Omit<AgentRecord, 'hooked_bead' | 'session_id' | 'heartbeat_at'>): void {
  store.write(() =>
    store.use(AGENTS_PART).run(
      `INSERT INTO agents (address, role, rig, name, runtime, session, workdir, state, started_at, last_activity)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(address) DO UPDATE SET role = excluded.role, rig = excluded.rig, name = excluded.name,
         runtime = excluded.runtime, session = excluded.session, workdir = excluded.workdir, state = excluded.state,
         started_at = excluded.started_at, last_activity = excluded.last_activity, session_id = NULL`,
      rec.address,
      rec.role,
      rec.rig,
      rec.name,
      rec.runtime,
      rec.session,
      rec.workdir,
      rec.state,
      rec.started_at,
      rec.last_activity,
    ),
  );
}

export function setAgentState(store: Store, address: string, state: AgentState, at: string): void {
  store.write(() =>
    store.use(AGENTS_PART).run('UPDATE agents SET state = ?, last_activity = ? WHERE address = ?', state, at, address),
  );
}

/** The runtime's own session id (from its session-start hook), so a restart can resume the conversation. */
export function recordSessionId(store: Store, address: string, sessionId: string, at: string): boolean {
  return (
    store.write(() =>
      store
        .use(AGENTS_PART)
        .run('UPDATE agents SET session_id = ?, heartbeat_at = ? WHERE address = ?', sessionId, at, address),
    ) > 0
  );
}

/** The bead an agent's record says it holds (set by sling, handoff and a restart; the polecat row agrees). */
export function setHookedBead(store: Store, address: string, bead: string | null): void {
  store.write(() => store.use(AGENTS_PART).run('UPDATE agents SET hooked_bead = ? WHERE address = ?', bead, address));
}

/** Empty the hook of `address` only if it still holds `bead`; whether it did. */
export function clearHookedBead(store: Store, address: string, bead: string): boolean {
  return store.write(
    () =>
      store
        .use(AGENTS_PART)
        .run('UPDATE agents SET hooked_bead = NULL WHERE address = ? AND hooked_bead = ?', address, bead) === 1,
  );
}

/**
 * A polecat slung work before its session starts: its record is created as `starting` with the hook, or an existing
 * record takes the new hook (its session fields stay until the start records them).
 */
export function recordSlung(
  store: Store,
  rec: { address: string; rig: string; name: string; runtime: string; bead: string },
): void {
  store.write(() =>
    store.use(AGENTS_PART).run(
      `INSERT INTO agents (address, role, rig, name, runtime, state, hooked_bead) VALUES (?, 'polecat', ?, ?, ?, 'starting', ?)
     ON CONFLICT(address) DO UPDATE SET hooked_bead = excluded.hooked_bead`,
      rec.address,
      rec.rig,
      rec.name,
      rec.runtime,
      rec.bead,
    ),
  );
}

/** Drop the record of an agent whose session never started (a sling that failed before the start). */
export function forgetUnstarted(store: Store, address: string): void {
  store.write(() => store.use(AGENTS_PART).run('DELETE FROM agents WHERE address = ? AND session IS NULL', address));
}

/** Changes whenever an agent's state or hook changes: the dashboard's cue to redraw its agent panels. */
export function agentsFingerprint(store: Store): string {
  return (
    store
      .use(AGENTS_PART)
      .get<{ f: string | null }>(
        "SELECT group_concat(address || ':' || state || ':' || coalesce(hooked_bead, ''), ',') AS f FROM agents",
      )?.f ?? ''
  );
}
