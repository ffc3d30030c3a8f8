// A polecat's session by hand: stop it (worktree snapshotted, hook kept, the daemon leaves it down), start it again
// on its hook, resume a suspended hook, and nuke it (only when no work would be lost, or saved first with force).
import { existsSync } from 'node:fs';
import { GtError, messageOf, TOWN_EVENTS, usageError } from '../../kernel/index.ts';
import { agentForRole, loadRig, recordTownEvent, requireKnownAgent, type TownContext } from '../../town/index.ts';
import { nudge } from '../../agents/index.ts';
import {
  identityOf,
  setHookedBead,
  startAgent,
  stopAgent,
  townTmux,
  withStore,
  type StartResult,
} from '../sessions/index.ts';
import {
  getPolecat,
  polecatStatus,
  removePolecat,
  updatePolecat,
  workingCounts,
  type Polecat,
} from '../polecats/index.ts';
import { requireRigOpen, rigState } from '../rig-state/index.ts';
import { snapshotWorktree } from './snapshot.ts';
import { unsling } from './release.ts';

export interface PolecatStopResult {
  address: string;
  session: string;
  /** False when no session was running. */
  stopped: boolean;
  /** The bead its hook keeps (it waits for gt polecat start, gt hook resume or gt up). */
  hook: string | null;
  /** The snapshot ref of its worktree taken before the stop (in the rig's repository). */
  snapshot: string | null;
}

/**
 * Stop a polecat's session. A polecat at work keeps its hook and is marked stopped first (so the daemon does not
 * restart it), and its worktree is snapshotted; an idle one just loses its session.
 */
export async function stopPolecat(town: TownContext, p: Polecat, actor?: string): Promise<PolecatStopResult> {
  const id = identityOf(town, { kind: 'polecat', rig: p.rig, name: p.name });
  const snap = p.bead && existsSync(p.worktree) ? snapshotWorktree(town, p.rig, p.name).snapshot.ref : null;
  if (p.state === 'working') withStore(town, (s) => updatePolecat(s, p.rig, p.name, { state: 'stopped' }, ['working']));
  const r = await stopAgent(town, id);
  if (r.stopped || p.state === 'working') {
    withStore(town, (s) =>
      recordTownEvent(s, {
        kind: TOWN_EVENTS.polecat.stopped,
        subject: id.address,
        reason: p.bead ? `stopped by hand; the hook keeps ${p.bead}` : 'stopped by hand',
        data: { session: id.session, snapshot: snap },
        ...(actor ? { actor } : {}),
      }),
    );
  }
  return { address: id.address, session: id.session, stopped: r.stopped, hook: p.bead, snapshot: snap };
}

export type PolecatStartResult = StartResult & {
  /** The bead it was started on, or null for a session with an empty hook. */
  hook: string | null;
};

const CARRY_ON = (address: string, bead: string, why: string): string =>
  `Gas Town: you are ${address} (polecat). ${why}; your hook holds ${bead}. Carry on with it (gt prime shows it), and finish with gt done.`;

/**
 * Start a polecat's session: on its hook (resuming the runtime's conversation when it can), or idle when the hook is
 * empty. Refused on a docked or parked rig for hooked work, over the caps, and for a suspended hook (gt hook resume).
 */
export async function startPolecat(
  town: TownContext,
  p: Polecat,
  o: { agent?: string; actor?: string } = {},
): Promise<PolecatStartResult> {
  const id = identityOf(town, { kind: 'polecat', rig: p.rig, name: p.name });
  if (rigState(town, p.rig)?.mode === 'docked') requireRigOpen(town, p.rig, `its polecat ${id.address} stays down`);
  if (p.hook_state === 'suspended' && p.bead) {
    throw new GtError(
      'GT_HOOK_SUSPENDED',
      `${id.address}'s hook (${p.bead}) is suspended until its escalation is settled`,
      {
        kind: 'usage',
        hint: `gt escalate list shows the escalation; gt hook resume ${id.address} resumes the work now`,
      },
    );
  }
  const agent =
    o.agent !== undefined
      ? requireKnownAgent(town.settings, o.agent)
      : (p.agent ?? agentForRole(town.settings, 'polecat', loadRig(town, p.rig)));
  if (!p.bead) {
    const r = await startAgent(town, { identity: id, agent });
    return { ...r, hook: null };
  }
  return startOnKeptHook(town, p, agent, 'Your session was stopped and is started again', o.actor);
}

/** Mark a hooked polecat working (taking a slot under the caps) and start its agent, giving the state back on failure. */
async function startOnKeptHook(
  town: TownContext,
  p: Polecat,
  agent: string,
  why: string,
  actor: string | undefined,
): Promise<PolecatStartResult> {
  const id = identityOf(town, { kind: 'polecat', rig: p.rig, name: p.name });
  const bead = p.bead!;
  const was = p.state;
  if (was !== 'working') {
    withStore(town, (s) =>
      s.write(() => {
        const n = workingCounts(s, p.rig);
        const caps = town.settings.caps;
        const full =
          n.rig >= caps.polecats_per_rig
            ? `rig ${p.rig} has ${n.rig} working polecats (cap ${caps.polecats_per_rig})`
            : n.town >= caps.polecats_per_town
              ? `the town has ${n.town} working polecats (cap ${caps.polecats_per_town})`
              : undefined;
        if (full)
          throw new GtError('GT_NO_SLOT', `${id.address} cannot start now: ${full}`, {
            hint: 'wait for a polecat to finish (gt polecat list), or raise caps in settings/config.json',
          });
        updatePolecat(s, p.rig, p.name, { state: 'working', hook_state: 'active', restarts: 0 });
      }),
    );
  }
  try {
    const r = await startAgent(town, { identity: id, agent, resume: true, prompt: CARRY_ON(id.address, bead, why) });
    withStore(town, (s) =>
      s.write(() => {
        setHookedBead(s, id.address, bead);
        recordTownEvent(s, {
          kind: TOWN_EVENTS.polecat.started,
          subject: id.address,
          reason: `${why.toLowerCase()} on ${bead}`,
          data: { bead, agent, status: r.status },
          ...(actor ? { actor } : {}),
        });
      }),
    );
    return { ...r, hook: bead };
  } catch (e) {
    // Nothing runs: back to how it was, so the daemon does not restart what failed to start by hand.
    if (was !== 'working' && !(await townTmux(town).hasSession(id.session)))
      withStore(town, (s) => updatePolecat(s, p.rig, p.name, { state: was, hook_state: p.hook_state }));
    throw e;
  }
}

export type ResumeResult =
  | {
      status: 'resumed';
      address: string;
      bead: string;
      how: 'nudged' | 'started';
      was: 'suspended' | 'stopped' | 'dead';
      session: string;
    }
  | { status: 'already-working'; address: string; bead: string; session: string };

/**
 * Put a polecat back to work on its hook: a suspended hook (escalated or deferred) becomes active again, a stopped or
 * dead session is started; a live agent is told to carry on. Its open escalations stay open (close them with
 * gt escalate close).
 */
export async function resumeHook(
  town: TownContext,
  p: Polecat,
  o: { actor?: string; note?: string } = {},
): Promise<ResumeResult> {
  const id = identityOf(town, { kind: 'polecat', rig: p.rig, name: p.name });
  if (!p.bead)
    throw usageError(
      'GT_HOOK_EMPTY',
      `${id.address} has nothing on its hook`,
      `give it work with gt sling <bead> ${id.address}`,
    );
  const bead = p.bead;
  const live = (await townTmux(town).listSessions()).some((s) => s.name === id.session && !s.paneDead);
  const was =
    p.hook_state === 'suspended' ? 'suspended' : p.state === 'stopped' ? 'stopped' : live ? undefined : 'dead';
  if (!was) return { status: 'already-working', address: id.address, bead, session: id.session };
  if (rigState(town, p.rig)?.mode === 'docked') requireRigOpen(town, p.rig, `its polecat ${id.address} stays down`);
  const why =
    was === 'suspended'
      ? `Your hook was suspended and is resumed${o.note ? ` (${o.note})` : ''}`
      : 'Your session was stopped and is started again';
  withStore(town, (s) =>
    recordTownEvent(s, {
      kind: TOWN_EVENTS.hook.resumed,
      subject: bead,
      reason: `${was}${o.note ? `: ${o.note}` : ''}`,
      data: { polecat: id.address },
      ...(o.actor ? { actor: o.actor } : {}),
    }),
  );
  if (was === 'suspended' && live) {
    withStore(town, (s) => updatePolecat(s, p.rig, p.name, { state: 'working', hook_state: 'active' }));
    const r = await nudge(
      townTmux(town),
      { runtimeDir: town.paths.runtime },
      { session: id.session, message: CARRY_ON(id.address, bead, why), mode: 'wait-idle', from: o.actor ?? 'gt' },
    );
    if (r.status === 'failed')
      throw new GtError(
        'GT_NUDGE_FAILED',
        `${id.address}'s hook is active again, but the agent was not told: ${r.detail}`,
        { hint: `tell it yourself: gt nudge ${id.address} "carry on with ${bead}"` },
      );
    return { status: 'resumed', address: id.address, bead, how: 'nudged', was, session: id.session };
  }
  const agent = p.agent ?? agentForRole(town.settings, 'polecat', loadRig(town, p.rig));
  await startOnKeptHook(
    town,
    { ...p, state: was === 'dead' && p.state === 'working' ? 'working' : p.state },
    agent,
    why,
    o.actor,
  );
  return { status: 'resumed', address: id.address, bead, how: 'started', was, session: id.session };
}

export interface NukeResult {
  address: string;
  worktree: string;
  session_stopped: boolean;
  /** The bead its hook held, given back (open, unassigned). */
  released: string | null;
  /** Where its work was saved first (force only): a snapshot ref in `repo` and a bundle file. */
  snapshot: string | null;
  saved: string | null;
  repo: string;
}

/**
 * Remove a polecat altogether: session, worktree, branch (when landed), row. Refused while it holds work that would
 * be lost (a hooked bead, unlanded or uncommitted changes); with `force` (and `confirm` = its name) that work is
 * saved first, as a snapshot ref and a bundle file, and the hooked bead is given back.
 */
export async function nukePolecat(
  town: TownContext,
  p: Polecat,
  o: { force?: boolean; confirm?: string; actor?: string } = {},
): Promise<NukeResult> {
  const st = await polecatStatus(town, p);
  const lost = [
    ...(p.bead ? [`it has ${p.bead} on its hook`] : []),
    ...(st.holds ? [`its worktree holds ${st.holds}, in ${p.worktree}`] : []),
  ];
  if (lost.length && !o.force) {
    throw new GtError('GT_POLECAT_HOLDS_WORK', `polecat ${st.address} was not nuked: ${lost.join('; ')}`, {
      hint: p.bead
        ? `let it finish (gt done), or give the bead back with gt unsling ${p.bead} first`
        : 'let it finish with gt done (or commit and land the work) first',
    });
  }
  if (lost.length && o.confirm !== p.name)
    throw usageError(
      'GT_NOT_CONFIRMED',
      `nuking polecat ${st.address} with its work was not confirmed`,
      `type the polecat's name when asked, or give it with --yes ${p.name}`,
    );
  let snapshot: string | null = null;
  if (lost.length && st.worktree_exists) {
    try {
      snapshot = snapshotWorktree(town, p.rig, p.name).snapshot.ref;
    } catch (e) {
      throw new GtError(
        'GT_SNAPSHOT_FAILED',
        `polecat ${st.address} was not nuked: its worktree could not be snapshotted (${messageOf(e)})`,
        { hint: `look at ${p.worktree} with git status` },
      );
    }
  }
  const un = p.bead
    ? await unsling(town, p.bead, { reason: `polecat ${st.address} nuked`, ...(o.actor ? { actor: o.actor } : {}) })
    : undefined;
  const released = un?.bead ?? null;
  const stopped =
    (await stopAgent(town, identityOf(town, { kind: 'polecat', rig: p.rig, name: p.name }))).stopped ||
    (un?.session_stopped ?? false);
  const now = withStore(town, (s) => getPolecat(s, p.rig, p.name)) ?? p;
  const r = await removePolecat(town, now, lost.length ? { force: true, confirm: p.name } : {});
  withStore(town, (s) =>
    recordTownEvent(s, {
      kind: TOWN_EVENTS.polecat.nuked,
      subject: st.address,
      reason: lost.length ? `with work saved: ${lost.join('; ')}` : 'nothing unlanded',
      data: { snapshot, saved: r.saved ?? null, released },
      ...(o.actor ? { actor: o.actor } : {}),
    }),
  );
  return {
    address: st.address,
    worktree: p.worktree,
    session_stopped: stopped,
    released,
    snapshot,
    saved: r.saved ?? null,
    repo: town.paths.repo(p.rig),
  };
}
