// What the tick looks at: every polecat row with its agent record, whether its tmux session lives, a hash of its
// screen, and its latest sign of life. One listing and one capture per live session, all at once.
import { createHash } from 'node:crypto';
import { sessionNameOf, type TownContext } from '../town/index.ts';
import type { TmuxClient } from '../tmux/index.ts';
import { listAgentRecords, sessionsStarting, withStore } from '../work/sessions/index.ts';
import { settleRestarts } from '../work/hook/index.ts';
import { lastEventBy } from './events.ts';
import type { PolecatObservation } from './plan.ts';
import { listPolecats } from '../work/polecats/index.ts';

interface PolecatRow {
  rig: string;
  name: string;
  state: string;
  bead: string | null;
  agent: string | null;
  restarts: number;
  updated_at: string;
}

interface AgentRow {
  address: string;
  started_at: string | null;
  heartbeat_at: string | null;
}

const ms = (iso: string | null | undefined): number | undefined => (iso ? Date.parse(iso) : undefined);

export async function observePolecats(
  town: TownContext,
  tmux: Pick<TmuxClient, 'listSessions' | 'snapshotMany'>,
): Promise<PolecatObservation[]> {
  const rows = withStore(town, (s) => {
    const polecats: PolecatRow[] = listPolecats(s);
    const agents = new Map<string, AgentRow>(
      listAgentRecords(s)
        .filter((a) => a.role === 'polecat')
        .map((a) => [a.address, a]),
    );
    return polecats.map((p) => {
      p.restarts = settleRestarts(s, p); // restarts on an earlier hook do not count against this one
      const address = `${p.rig}/${p.name}`;
      const a = agents.get(address);
      const lastCall = Math.max(ms(a?.heartbeat_at) ?? 0, lastEventBy(s, address) ?? 0) || undefined;
      return { p, address, startedAt: ms(a?.started_at), lastCall };
    });
  });
  const sessions = new Map((await tmux.listSessions()).map((s) => [s.name, s]));
  // Being started by another process (a sling preparing a host): not dead, not to be started again.
  const starting = sessionsStarting(town);
  const obs: PolecatObservation[] = [];
  for (const r of rows) {
    let session: string | undefined;
    try {
      session = sessionNameOf(town, { kind: 'polecat', rig: r.p.rig, name: r.p.name });
    } catch {
      continue; // its rig is gone: nothing to reconcile
    }
    if (!session || starting.has(session)) continue;
    const info = sessions.get(session);
    obs.push({
      rig: r.p.rig,
      name: r.p.name,
      address: r.address,
      session,
      state: r.p.state,
      bead: r.p.bead,
      agent: r.p.agent,
      restarts: r.p.restarts,
      updatedAt: Date.parse(r.p.updated_at),
      live: info !== undefined && !info.paneDead,
      ...(r.startedAt !== undefined ? { startedAt: r.startedAt } : {}),
      ...(r.lastCall !== undefined ? { lastCall: r.lastCall } : {}),
    });
  }
  const live = obs.filter((o) => o.live && o.state === 'working' && o.bead);
  const screens = await tmux.snapshotMany(live.map((o) => o.session));
  for (const o of live) {
    const lines = screens.get(o.session)?.lines;
    if (lines) o.screenHash = screenHash(lines);
  }
  return obs;
}

/** A hash of what the screen shows (trailing blanks ignored), to tell whether anything changed between ticks. */
export function screenHash(lines: readonly string[]): string {
  return createHash('sha256')
    .update(
      lines
        .map((l) => l.trimEnd())
        .join('\n')
        .trimEnd(),
    )
    .digest('hex')
    .slice(0, 16);
}
