// An agent's hook: the bead it is working on, as the agents table records it or as the bead itself says
// (status `hooked`, assigned to the agent).
import type { Store } from '../../beads/index.ts';
import type { AgentRecord } from '../../agents/table.ts';

export function hookedBeadOf(store: Store, rec: Pick<AgentRecord, 'address' | 'hooked_bead'>): string | null {
  if (rec.hooked_bead) return rec.hooked_bead;
  const row = store.db.get<{ id: string }>(
    "SELECT id FROM issues WHERE status = 'hooked' AND assignee = ? AND deleted_at IS NULL ORDER BY updated_at DESC LIMIT 1",
    rec.address,
  );
  return row?.id ?? null;
}
