// Which agents run on which host (`agent_hosts`, a schema part this module owns): the fleet routes a session's
// tmux calls to its host by it, and gt agents shows it. An agent with no row runs on this machine.
import type { SchemaPart, Store } from '../beads/index.ts';

export const AGENT_HOSTS_PART: SchemaPart = {
  name: 'agent_hosts',
  migrations: [
    {
      version: 1,
      sql: `CREATE TABLE IF NOT EXISTS agent_hosts (
  address TEXT PRIMARY KEY,
  session TEXT NOT NULL,
  host TEXT NOT NULL,
  workdir TEXT NOT NULL,
  placed_at TEXT NOT NULL
)`,
    },
  ],
};

export interface Placement {
  address: string;
  session: string;
  host: string;
  /** The agent's working directory on the host. */
  workdir: string;
  placed_at: string;
}

export function placeAgent(store: Store, p: Omit<Placement, 'placed_at'>): void {
  store.write(() =>
    store
      .use(AGENT_HOSTS_PART)
      .run(
        'INSERT INTO agent_hosts (address, session, host, workdir, placed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(address) DO UPDATE SET session = excluded.session, host = excluded.host, workdir = excluded.workdir, placed_at = excluded.placed_at',
        p.address,
        p.session,
        p.host,
        p.workdir,
        store.now(),
      ),
  );
}

export function unplaceAgent(store: Store, address: string): boolean {
  return store.write(() => store.use(AGENT_HOSTS_PART).run('DELETE FROM agent_hosts WHERE address = ?', address)) > 0;
}

export function placementOf(store: Store, address: string): Placement | undefined {
  return store
    .use(AGENT_HOSTS_PART)
    .get<Placement>('SELECT address, session, host, workdir, placed_at FROM agent_hosts WHERE address = ?', address);
}

export function listPlacements(store: Store, host?: string): Placement[] {
  const db = store.use(AGENT_HOSTS_PART);
  return host === undefined
    ? db.all<Placement>('SELECT address, session, host, workdir, placed_at FROM agent_hosts ORDER BY address')
    : db.all<Placement>(
        'SELECT address, session, host, workdir, placed_at FROM agent_hosts WHERE host = ? ORDER BY address',
        host,
      );
}
