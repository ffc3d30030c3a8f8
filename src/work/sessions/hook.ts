// An agent's hook: the bead it is working on, as the agents table records it or as the bead itself says
// (status `hooked`, assigned to the agent).
import { latestAssigned, type Store } from '../../beads/index.ts';
import type { AgentRecord } from '../../agents/table.ts';

export function hookedBeadOf(store: Store, rec: Pick<AgentRecord, 'address' | 'hooked_bead'>): string | null {
  if (rec.hooked_bead) return rec.hooked_bead;
  return latestAssigned(store, rec.address, 'hooked');
}
