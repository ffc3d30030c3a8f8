// Reading hooks: what one agent has on its hook (gt hook), and every polecat's hook (gt hooks list).
import { existsSync } from 'node:fs';
import { dependentsOf, getBead, getDetails, latestAssigned, type Store } from '../../beads/index.ts';
import { formatAddress, lastTownEvent, parseAddress, townTmux, type TownContext } from '../../town/index.ts';
import { getAgent, hookedBeadOf, identityOf, withStore } from '../sessions/index.ts';
import { TOWN_EVENTS } from '../../kernel/index.ts';
import { getPolecat, listPolecats, type Polecat } from '../polecats/index.ts';
import { restartsOnHook } from './restarts.ts';

export interface HookView {
  address: string;
  /** The hooked bead as `bd show --json` prints it, or null. */
  bead: Record<string, unknown> | null;
  polecat: Pick<Polecat, 'rig' | 'name' | 'branch' | 'base' | 'worktree' | 'hook_state'> | null;
  /**
   * The hook is suspended (its work escalated or deferred): the bead stays on it, but nobody is to work on it until
   * someone acts (the escalation is closed, or the bead is slung again). Null when it is not.
   */
  suspended: { since: string; reason: string } | null;
}

/** What is on `address`'s hook: the polecat's bead, else a bead hooked (or in progress) assigned to the agent. */
export function hookOf(town: TownContext, address: string): HookView {
  const a = parseAddress(town, address);
  const text = formatAddress(a);
  return withStore(town, (s) => {
    const p = a.kind === 'polecat' ? getPolecat(s, a.rig, a.name) : undefined;
    const agent = getAgent(s, text);
    const id = p
      ? p.bead
      : (hookedBeadOf(s, { address: text, hooked_bead: agent?.hooked_bead ?? null }) ?? inProgressOf(s, text));
    return {
      address: text,
      bead: id ? beadAsShown(s, id) : null,
      polecat: p
        ? { rig: p.rig, name: p.name, branch: p.branch, base: p.base, worktree: p.worktree, hook_state: p.hook_state }
        : null,
      suspended: p?.bead && p.hook_state === 'suspended' ? suspensionOf(s, p) : null,
    };
  });
}

/** When and why the hook was suspended: the latest escalation, deferral or suspension event about its bead. */
export function suspensionOf(
  s: Store,
  p: Pick<Polecat, 'rig' | 'name' | 'bead' | 'updated_at'>,
): { since: string; reason: string } {
  const e =
    p.bead === null
      ? undefined
      : lastTownEvent(s, {
          kind: [TOWN_EVENTS.done.escalated, TOWN_EVENTS.done.deferred, TOWN_EVENTS.hook.suspended],
          subject: p.bead,
          actor: `${p.rig}/${p.name}`,
        });
  if (!e) return { since: p.updated_at, reason: 'suspended' };
  const what = e.kind === TOWN_EVENTS.done.deferred ? 'deferred' : 'escalated';
  return {
    since: e.at,
    reason: e.kind === TOWN_EVENTS.hook.suspended ? (e.reason ?? what) : `${what}: ${e.reason ?? ''}`.trim(),
  };
}

function inProgressOf(s: Store, address: string): string | null {
  return latestAssigned(s, address, 'in_progress');
}

function beadAsShown(s: Store, id: string): Record<string, unknown> | null {
  const d = getDetails(s.db, id);
  if (!d) return null;
  const parent = d.dependencies.find((x) => x.type === 'parent-child')?.depends_on_id ?? null;
  return { ...d, parent, dependents: dependentsOf(s.db, id) };
}

export interface WorkHook {
  address: string;
  rig: string;
  name: string;
  state: Polecat['state'];
  hook_state: Polecat['hook_state'];
  agent: string | null;
  bead: string | null;
  bead_status: string | null;
  branch: string | null;
  worktree: string;
  worktree_exists: boolean;
  session_running: boolean;
  last_snapshot: string | null;
  restarts: number;
}

/** Every polecat's hook, with whether its worktree and session exist. */
export async function listHooks(town: TownContext): Promise<WorkHook[]> {
  const rows = withStore(town, (s) =>
    listPolecats(s).map((p) => ({
      p: { ...p, restarts: restartsOnHook(s, p) },
      status: p.bead ? (getBead(s.db, p.bead)?.status ?? null) : null,
    })),
  );
  const tmux = townTmux(town);
  return Promise.all(
    rows.map(async ({ p, status }) => {
      const id = identityOf(town, { kind: 'polecat', rig: p.rig, name: p.name });
      return {
        address: id.address,
        rig: p.rig,
        name: p.name,
        state: p.state,
        hook_state: p.hook_state,
        agent: p.agent,
        bead: p.bead,
        bead_status: status,
        branch: p.branch,
        worktree: p.worktree,
        worktree_exists: existsSync(p.worktree),
        session_running: await tmux.hasSession(id.session),
        last_snapshot: p.last_snapshot,
        restarts: p.restarts,
      };
    }),
  );
}
