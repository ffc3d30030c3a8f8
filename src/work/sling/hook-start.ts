// Hooking a claimed bead and starting its agent: the polecat's worktree now, the session as a step run later (a
// batch starts several at once); a failure before the agent runs gives the bead back.
import { isGtError, messageOf } from '../../kernel/index.ts';
import type { Store } from '../../beads/index.ts';
import type { TownContext } from '../../town/index.ts';
import { forgetUnstarted, unplaceClaimed, withStore } from '../sessions/index.ts';
import {
  buildPolecatWorktree,
  discardPolecat,
  rebranchPolecat,
  updatePolecat,
  type Polecat,
} from '../polecats/index.ts';
import { releaseInStore } from '../hook/release.ts';
import { startOnHook } from './start.ts';
import type { Claimed, Kept, SlingOutcome, Step } from './types.ts';

/** Worktree for a claimed hook now, then the step that starts its session; a failure before the agent runs gives the bead back. */
export function hookAndStart(
  town: TownContext,
  c: Extract<Claimed, { kind: 'claimed' }>,
  kept: Kept,
  started: number,
  placement: string | undefined,
): Step {
  const { bead } = c;
  let p: Polecat;
  try {
    p = c.fresh
      ? buildPolecatWorktree(town, c.polecat.rig, c.polecat.name, { bead, ...(kept.base ? { base: kept.base } : {}) })
      : rebranchPolecat(town, c.polecat, bead, kept.base);
  } catch (e) {
    return giveBack(town, bead, c, e, kept);
  }
  withStore(town, (s) => updatePolecat(s, p.rig, p.name, { hook_state: 'active' }));
  return async () => {
    const o = await startSession(town, c, p, kept, started);
    return placement !== undefined && (o.status === 'started' || o.status === 'hooked') ? { ...o, placement } : o;
  };
}

async function startSession(
  town: TownContext,
  c: Extract<Claimed, { kind: 'claimed' }>,
  p: Polecat,
  kept: Kept,
  started: number,
): Promise<SlingOutcome> {
  const { bead } = c;
  const address = `${c.polecat.rig}/${c.polecat.name}`;
  try {
    const r = await startOnHook(town, p, bead, kept);
    return {
      bead,
      status: 'started',
      polecat: address,
      branch: p.branch!,
      worktree: p.worktree,
      session: r.session,
      elapsedMs: Date.now() - started,
      ...(r.warning ? { reason: r.warning } : {}),
      ...(kept.host ? { host: kept.host } : {}),
    };
  } catch (e) {
    if (
      isGtError(e) &&
      ['GT_AGENT_CLI_MISSING', 'GT_NO_WORKDIR', 'GT_AGENT_NOT_FOUND', 'GT_BAD_PRESET'].includes(e.code)
    )
      return giveBack(town, bead, c, e, kept);
    return {
      bead,
      status: 'hooked',
      polecat: address,
      branch: p.branch!,
      worktree: p.worktree,
      reason: `hooked to ${address}, but its agent did not start: ${messageOf(e)}`,
      ...(kept.host ? { host: kept.host } : {}),
      hint: isGtError(e) && e.hint ? e.hint : `gt peek ${address} shows its screen; the daemon restarts it on its hook`,
      elapsedMs: Date.now() - started,
    };
  }
}

function giveBack(
  town: TownContext,
  bead: string,
  c: Extract<Claimed, { kind: 'claimed' }>,
  e: unknown,
  kept: Kept,
): SlingOutcome {
  const reason = messageOf(e);
  withStore(town, (s: Store) =>
    releaseInStore(s, bead, c.fresh ? undefined : c.polecat, {
      reason: `sling failed: ${reason}`,
      ...(kept.actor ? { actor: kept.actor } : {}),
    }),
  );
  if (c.fresh) discardPolecat(town, c.polecat.rig, c.polecat.name);
  withStore(town, (s) => forgetUnstarted(s, `${c.polecat.rig}/${c.polecat.name}`));
  unplaceClaimed(town, `${c.polecat.rig}/${c.polecat.name}`);
  return { bead, status: 'refused', reason, ...(isGtError(e) && e.hint ? { hint: e.hint } : {}) };
}
