// Stopping and starting the town's agents in bulk (gt down, gt up, gt rig dock): polecats keep their hooks (worktrees
// snapshotted first), other agents just lose their sessions; nothing on disk is touched.
import { messageOf } from '../../kernel/index.ts';
import { parseAddress, type TownContext } from '../../town/index.ts';
import { identityOf, listAgentRecords, stopAgent, townTmux, withStore } from '../sessions/index.ts';
import { listPolecats } from '../polecats/index.ts';
import { startPolecat, stopPolecat } from '../hook/index.ts';
import { rigState } from '../rig-state/index.ts';

export interface StoppedAgent {
  address: string;
  session: string;
  /** Polecats: the bead its hook keeps, and the snapshot of its worktree. */
  hook?: string | null;
  snapshot?: string | null;
}

export interface StopAgentsResult {
  stopped: StoppedAgent[];
  failed: { address: string; error: string }[];
}

/** Stop every running agent (of one rig, or of the town): polecats first, then crew, refinery, witness and the Mayor. */
export async function stopAgents(
  town: TownContext,
  o: { rig?: string; actor?: string } = {},
): Promise<StopAgentsResult> {
  const out: StopAgentsResult = { stopped: [], failed: [] };
  const live = new Set((await townTmux(town).listSessions()).map((s) => s.name));
  const { polecats, others } = withStore(town, (s) => ({
    polecats: listPolecats(s, o.rig),
    others: listAgentRecords(s).filter(
      (r) => r.role !== 'polecat' && (o.rig === undefined || r.rig === o.rig) && r.session && live.has(r.session),
    ),
  }));
  for (const p of polecats) {
    const id = identityOf(town, { kind: 'polecat', rig: p.rig, name: p.name });
    if (!live.has(id.session) && p.state !== 'working') continue;
    try {
      const r = await stopPolecat(town, p, o.actor);
      out.stopped.push({ address: r.address, session: r.session, hook: r.hook, snapshot: r.snapshot });
    } catch (e) {
      out.failed.push({ address: id.address, error: messageOf(e) });
    }
  }
  // The Mayor last: it may be coordinating the others until they are down.
  for (const r of others.sort((a, b) => Number(a.role === 'mayor') - Number(b.role === 'mayor'))) {
    try {
      const s = await stopAgent(town, identityOf(town, parseAddress(town, r.address)));
      if (s.stopped) out.stopped.push({ address: s.address, session: s.session });
    } catch (e) {
      out.failed.push({ address: r.address, error: messageOf(e) });
    }
  }
  return out;
}

export interface StartedPolecat {
  address: string;
  bead: string;
  status: 'started' | 'already-running';
}

/** Start every stopped polecat that still holds work (gt down, gt polecat stop), except on docked or parked rigs. */
export async function startStoppedPolecats(
  town: TownContext,
  o: { rig?: string; actor?: string } = {},
): Promise<{ started: StartedPolecat[]; failed: { address: string; error: string }[] }> {
  const due = withStore(town, (s) =>
    listPolecats(s, o.rig).filter((p) => p.state === 'stopped' && p.bead && p.hook_state !== 'suspended'),
  );
  const started: StartedPolecat[] = [];
  const failed: { address: string; error: string }[] = [];
  for (const p of due) {
    if (rigState(town, p.rig)) continue;
    try {
      const r = await startPolecat(town, p, o.actor ? { actor: o.actor } : {});
      started.push({ address: r.address, bead: p.bead!, status: r.status });
    } catch (e) {
      failed.push({ address: `${p.rig}/${p.name}`, error: messageOf(e) });
    }
  }
  return { started, failed };
}
