// gt polecat status|remove|gc: a polecat's full state, and deleting polecats without ever losing work.
import { existsSync } from 'node:fs';
import { GtError, usageError } from '../../kernel/index.ts';
import { dropWorktree } from '../../git/index.ts';
import {
  loadRig,
  parseAddress,
  rigNames,
  saveToBundle,
  savedBundlePath,
  townTmux,
  type TownContext,
} from '../../town/index.ts';
import { identityOf, withStore } from '../sessions/index.ts';
import { polecatHeldWork } from './held.ts';
import { deletePolecat, getPolecat, listPolecats, type Polecat } from './table.ts';

export interface PolecatStatus extends Polecat {
  address: string;
  session: string;
  running: boolean;
  worktree_exists: boolean;
  /** What the worktree holds that is not on the default branch, in words; null when nothing. */
  holds: string | null;
}

/** Find a polecat by `<rig>/<name>`, or by a bare name when exactly one rig has it. */
export function findPolecat(town: TownContext, ref: string): Polecat {
  const rows = withStore(town, (s) => {
    if (ref.includes('/')) {
      const a = parseAddress(town, ref);
      if (a.kind !== 'polecat')
        throw new GtError('GT_NOT_A_POLECAT', `"${ref}" is not a polecat address`, {
          kind: 'usage',
          hint: 'give <rig>/<polecat>, e.g. myproject/furiosa',
        });
      const p = getPolecat(s, a.rig, a.name);
      return p ? [p] : [];
    }
    return rigNames(town)
      .map((r) => getPolecat(s, r, ref))
      .filter((p): p is Polecat => p !== undefined);
  });
  if (rows.length === 1) return rows[0]!;
  if (rows.length > 1)
    throw new GtError('GT_AMBIGUOUS_POLECAT', `several rigs have a polecat named "${ref}"`, {
      kind: 'usage',
      hint: `name it with its rig: ${rows.map((p) => `${p.rig}/${p.name}`).join(' or ')}`,
    });
  throw new GtError('GT_POLECAT_NOT_FOUND', `no polecat "${ref}"`, {
    kind: 'usage',
    hint: 'gt polecat list shows the polecats',
  });
}

export async function polecatStatus(town: TownContext, p: Polecat): Promise<PolecatStatus> {
  const id = identityOf(town, { kind: 'polecat', rig: p.rig, name: p.name });
  const cfg = loadRig(town, p.rig);
  const holds = withStore(town, (s) => polecatHeldWork(s, p, cfg.default_branch)) ?? null;
  return {
    ...p,
    address: id.address,
    session: id.session,
    running: await townTmux(town).hasSession(id.session),
    worktree_exists: existsSync(p.worktree),
    holds,
  };
}

export async function listPolecatStatus(town: TownContext, rig?: string): Promise<PolecatStatus[]> {
  if (rig !== undefined) loadRig(town, rig);
  const rows = withStore(town, (s) => listPolecats(s, rig));
  return Promise.all(rows.map((p) => polecatStatus(town, p)));
}

/**
 * Delete a polecat: its worktree, its branch (only when landed) and its row. Refused while it has work hooked,
 * its session runs, or its worktree holds uncommitted or unlanded work (named, with the worktree). `force` (with
 * `confirm` repeating the polecat's name) overrides only the last: that work is saved to a bundle file first.
 */
export async function removePolecat(
  town: TownContext,
  p: Polecat,
  opts: { force?: boolean; confirm?: string } = {},
): Promise<{ rig: string; name: string; worktree: string; saved?: string }> {
  const st = await polecatStatus(town, p);
  const why = p.bead ? `it has ${p.bead} on its hook` : st.running ? `its session ${st.session} is running` : undefined;
  if (why) {
    throw new GtError('GT_POLECAT_BUSY', `polecat ${st.address} cannot be removed: ${why}`, {
      hint: p.bead ? `release it first with gt unsling ${p.bead}` : `stop it first: gt polecat stop ${st.address}`,
    });
  }
  const repo = town.paths.repo(p.rig);
  let saved: string | undefined;
  if (st.holds) {
    if (!opts.force) {
      throw new GtError(
        'GT_POLECAT_HOLDS_WORK',
        `polecat ${st.address} cannot be removed: its worktree holds ${st.holds}, in ${p.worktree}`,
        {
          hint: 'let it finish with gt done (or commit and land the work) first',
        },
      );
    }
    if (opts.confirm !== p.name)
      throw usageError(
        'GT_NOT_CONFIRMED',
        `removing polecat ${st.address} with its work was not confirmed`,
        `type the polecat's name when asked, or give it with --yes ${p.name}`,
      );
    saved = saveToBundle(repo, savedBundlePath(town, `polecat-${p.rig}-${p.name}`), [
      { label: `polecat/${p.name}`, path: p.worktree },
    ]);
  }
  dropWorktree(repo, p.worktree, p.branch ?? undefined, { force: !!saved });
  withStore(town, (s) => deletePolecat(s, p.rig, p.name));
  return { rig: p.rig, name: p.name, worktree: p.worktree, ...(saved ? { saved } : {}) };
}

export interface GcResult {
  removed: string[];
  kept: { address: string; reason: string }[];
}

/** Remove every idle polecat whose worktree holds nothing unlanded; the others are kept with the reason. */
export async function gcPolecats(town: TownContext, rig?: string): Promise<GcResult> {
  const out: GcResult = { removed: [], kept: [] };
  for (const st of await listPolecatStatus(town, rig)) {
    if (st.state === 'working' || st.bead) continue;
    const reason = st.running ? 'session running' : st.holds ? `holds ${st.holds}, in ${st.worktree}` : undefined;
    if (reason) {
      out.kept.push({ address: st.address, reason });
      continue;
    }
    await removePolecat(town, st);
    out.removed.push(st.address);
  }
  return out;
}
