// `gt rig remove`: delete a rig's directory, refused while any of its work trees holds work found nowhere else.
import { rmSync } from 'node:fs';
import { GtError } from '../kernel/index.ts';
import type { TownContext } from './context.ts';
import { describeHolders, inspectWorkTree, type HeldWorkReport } from './held-work.ts';
import { crewNames, loadRig, polecatNames } from './rigs.ts';

export interface RemoveRigResult {
  name: string;
  path: string;
  prefix: string;
}

/** Everything under the rig that would be lost: polecat worktrees (vs the default branch) and crew clones. */
export function rigHeldWork(town: TownContext, name: string): HeldWorkReport[] {
  const rig = loadRig(town, name);
  const out: HeldWorkReport[] = [];
  for (const p of polecatNames(town, name)) {
    const r = inspectWorkTree(`polecat ${p}`, town.paths.polecat(name, p), rig.default_branch);
    if (r) out.push(r);
  }
  for (const c of crewNames(town, name)) {
    const r = inspectWorkTree(`crew ${c}`, town.paths.crew(name, c));
    if (r) out.push(r);
  }
  return out;
}

/** Remove the rig's directory. Its beads stay in the town store (they are history). */
export function removeRig(town: TownContext, name: string): RemoveRigResult {
  const rig = loadRig(town, name);
  const held = rigHeldWork(town, name);
  if (held.length > 0) {
    throw new GtError('GT_RIG_HOLDS_WORK', `rig "${name}" still holds work: ${describeHolders(held)}`, {
      hint: `finish that work first (a polecat commits and runs gt done; crew push their branches), then run gt rig remove ${name} again`,
      details: held,
    });
  }
  const path = town.paths.rig(name);
  rmSync(path, { recursive: true, force: true });
  return { name, path, prefix: rig.prefix };
}
