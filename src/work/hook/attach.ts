// gt hook attach|detach: put a bead on an agent's hook, or take it off, without starting or stopping anyone. A
// polecat given work this way is left stopped on its new branch (gt polecat start or gt up starts it).
import { GtError, TOWN_EVENTS } from '../../kernel/index.ts';
import { applyUpdate, getBead, resolveId } from '../../beads/index.ts';
import { formatAddress, loadRig, parseAddress, recordTownEvent, type TownContext } from '../../town/index.ts';
import {
  clearHookedBead,
  getAgent,
  hookedBeadOf,
  identityOf,
  setHookedBead,
  townTmux,
  withStore,
} from '../sessions/index.ts';
import { getPolecat, polecatHeldWork, rebranchPolecat, updatePolecat } from '../polecats/index.ts';
import { unsling } from './release.ts';

export interface AttachResult {
  bead: string;
  address: string;
  /** For a polecat: its new branch; it stays stopped until gt polecat start (or gt up). */
  branch: string | null;
}

function targetOf(town: TownContext, target: string): { text: string; kind: string; rig?: string; name?: string } {
  const a = parseAddress(town, target);
  if (a.kind === 'overseer' || a.kind === 'rig') {
    throw new GtError('GT_NOT_AN_AGENT', `"${formatAddress(a)}" has no hook`, {
      kind: 'usage',
      hint: 'name one agent: mayor, <rig>/<polecat>, <rig>/crew/<name>',
    });
  }
  return {
    text: formatAddress(a),
    kind: a.kind,
    ...('rig' in a ? { rig: a.rig } : {}),
    ...('name' in a ? { name: a.name } : {}),
  };
}

export async function attachHook(
  town: TownContext,
  beadRef: string,
  target: string,
  actor: string,
): Promise<AttachResult> {
  const t = targetOf(town, target);
  const id = withStore(town, (s) => {
    const bid = resolveId(s, beadRef);
    const b = getBead(s.db, bid)!;
    if (b.status === 'closed')
      throw new GtError('GT_BEAD_CLOSED', `${bid} is closed`, {
        kind: 'usage',
        hint: `reopen it first (bd reopen ${bid}) if there is more to do`,
      });
    if (b.assignee && b.assignee !== t.text)
      throw new GtError('GT_BEAD_HELD', `${bid} is ${b.status} by ${b.assignee}`, {
        kind: 'usage',
        hint: `gt hook detach ${bid} ${b.assignee} first`,
      });
    if (b.assignee === t.text && b.status === 'hooked')
      throw new GtError('GT_ALREADY_HOOKED', `${bid} is already on ${t.text}'s hook`, {
        kind: 'usage',
        hint: `gt hook ${t.text} shows it`,
      });
    const held = hookedBeadOf(s, { address: t.text, hooked_bead: getAgent(s, t.text)?.hooked_bead ?? null });
    if (held && held !== bid)
      throw new GtError('GT_HOOK_FULL', `${t.text}'s hook holds ${held} already`, {
        kind: 'usage',
        hint: `gt hook detach ${held} ${t.text} first`,
      });
    return bid;
  });
  let branch: string | null = null;
  if (t.kind === 'polecat') {
    const p = withStore(town, (s) => getPolecat(s, t.rig!, t.name!));
    if (!p)
      throw new GtError('GT_POLECAT_NOT_FOUND', `no polecat "${t.text}"`, {
        kind: 'usage',
        hint: `gt sling ${id} ${t.rig} makes one and starts it`,
      });
    const session = identityOf(town, { kind: 'polecat', rig: p.rig, name: p.name }).session;
    const why = p.bead
      ? `its hook holds ${p.bead}`
      : (await townTmux(town).hasSession(session))
        ? 'its session is running'
        : withStore(town, (s) => polecatHeldWork(s, p, loadRig(town, p.rig).default_branch));
    if (why)
      throw new GtError('GT_POLECAT_BUSY', `cannot attach ${id} to ${t.text}: ${why}`, {
        kind: 'usage',
        hint: `gt sling ${id} ${t.text} hooks it and tells the running agent`,
      });
    branch = rebranchPolecat(town, p, id).branch;
  }
  withStore(town, (s) =>
    s.write(() => {
      applyUpdate(s, id, { status: 'hooked', assignee: t.text });
      if (t.kind === 'polecat')
        updatePolecat(s, t.rig!, t.name!, { bead: id, state: 'stopped', hook_state: 'active', restarts: 0 });
      else setHookedBead(s, t.text, id);
      recordTownEvent(s, {
        kind: TOWN_EVENTS.hook.attached,
        subject: id,
        reason: `attached to ${t.text}`,
        data: { polecat: t.kind === 'polecat' ? t.text : null, address: t.text },
        actor,
      });
    }),
  );
  return { bead: id, address: t.text, branch };
}

export interface DetachResult {
  bead: string;
  address: string;
  /** A polecat's session is stopped with it (its worktree is kept). */
  session_stopped: boolean;
}

export async function detachHook(
  town: TownContext,
  beadRef: string,
  target: string,
  actor: string,
): Promise<DetachResult> {
  const t = targetOf(town, target);
  const id = withStore(town, (s) => {
    const bid = resolveId(s, beadRef);
    const b = getBead(s.db, bid)!;
    const agent = getAgent(s, t.text);
    if (b.assignee !== t.text && agent?.hooked_bead !== bid)
      throw new GtError('GT_NOT_HOOKED', `${bid} is not on ${t.text}'s hook`, {
        kind: 'usage',
        hint: b.assignee ? `it is ${b.status} by ${b.assignee}` : 'gt hooks list shows what is hooked where',
      });
    return bid;
  });
  if (t.kind === 'polecat') {
    const r = await unsling(town, id, { reason: `detached from ${t.text}`, actor });
    return { bead: id, address: t.text, session_stopped: r.session_stopped };
  }
  withStore(town, (s) =>
    s.write(() => {
      const b = getBead(s.db, id)!;
      if (b.status !== 'closed') applyUpdate(s, id, { status: 'open', assignee: null });
      clearHookedBead(s, t.text, id);
      recordTownEvent(s, {
        kind: TOWN_EVENTS.hook.released,
        subject: id,
        reason: `detached from ${t.text}`,
        data: { address: t.text },
        actor,
      });
    }),
  );
  return { bead: id, address: t.text, session_stopped: false };
}
