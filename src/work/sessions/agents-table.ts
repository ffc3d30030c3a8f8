// The town store's `agents` table: who runs where, in which session, with which runtime, and what they hold.
import type { Store } from '../../beads/index.ts';

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

const COLUMNS = 'address, role, rig, name, runtime, session, workdir, state, hooked_bead, session_id, started_at, heartbeat_at, last_activity';

export function getAgent(store: Store, address: string): AgentRecord | undefined {
  return store.db.get<AgentRecord>(`SELECT ${COLUMNS} FROM agents WHERE address = ?`, address);
}

export function listAgentRecords(store: Store): AgentRecord[] {
  return store.db.all<AgentRecord>(`SELECT ${COLUMNS} FROM agents ORDER BY address`);
}

/** Record a session start: the row is created or replaced, keeping the hooked bead (the hook survives restarts). */
export function recordStart(store: Store, rec: Omit<AgentRecord, 'hooked_bead' | 'session_id' | 'heartbeat_at'>): void {
  store.write(() =>
    store.db.run(
      `INSERT INTO agents (address, role, rig, name, runtime, session, workdir, state, started_at, last_activity)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(address) DO UPDATE SET role = excluded.role, rig = excluded.rig, name = excluded.name,
         runtime = excluded.runtime, session = excluded.session, workdir = excluded.workdir, state = excluded.state,
         started_at = excluded.started_at, last_activity = excluded.last_activity, session_id = NULL`,
      rec.address, rec.role, rec.rig, rec.name, rec.runtime, rec.session, rec.workdir, rec.state, rec.started_at, rec.last_activity,
    ),
  );
}

export function setAgentState(store: Store, address: string, state: AgentState, at: string): void {
  store.write(() => store.db.run('UPDATE agents SET state = ?, last_activity = ? WHERE address = ?', state, at, address));
}

/** The runtime's own session id (from its session-start hook), so a restart can resume the conversation. */
export function recordSessionId(store: Store, address: string, sessionId: string, at: string): boolean {
  return store.write(() => store.db.run('UPDATE agents SET session_id = ?, heartbeat_at = ? WHERE address = ?', sessionId, at, address)) > 0;
}
