// `gt rig remove`: delete a rig's directory, refused while any of its work exists nowhere else: landed work not
// delivered to the repository it came from, unlanded branches, polecat work trees and crew clones holding work.
// `--force` (the rig's name typed again) first saves all of it to bundle files.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { GtError, usageError } from '../kernel/index.ts';
import type { TownContext } from './context.ts';
import { describeHolders, inspectRigRepo, inspectWorkTree, saveToBundle, type HeldWorkReport } from './held-work.ts';
import { crewNames, loadRig, polecatNames } from './rigs.ts';

export interface RemoveRigResult {
  name: string;
  path: string;
  prefix: string;
  /** Bundle files the work was saved to first (with --force, when there was work). */
  saved: string[];
}

export interface RemoveRigOptions {
  /** Remove even though work would be lost, after saving it to bundles; `confirm` must repeat the rig's name. */
  force?: boolean;
  confirm?: string;
}

/** Everything under the rig that exists nowhere else: its repository's branches, polecat worktrees, crew clones. */
export function rigHeldWork(town: TownContext, name: string): HeldWorkReport[] {
  const rig = loadRig(town, name);
  const out: HeldWorkReport[] = inspectRigRepo(town.paths.repo(name), rig.default_branch);
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

/** Where `--force` saves work: `<town>/.saved/<what>-<time>.bundle`, kept until someone deletes it. */
export function savedBundlePath(town: TownContext, what: string): string {
  return join(town.root, '.saved', `${what}-${new Date().toISOString().replace(/[:.]/g, '-')}.bundle`);
}

/** Remove the rig's directory. Its beads stay in the town store (they are history). */
export function removeRig(town: TownContext, name: string, opts: RemoveRigOptions = {}): RemoveRigResult {
  const rig = loadRig(town, name);
  const held = rigHeldWork(town, name);
  const saved: string[] = [];
  if (held.length > 0) {
    if (!opts.force) {
      throw new GtError(
        'GT_RIG_HOLDS_WORK',
        `rig "${name}" holds work that exists nowhere else: ${describeHolders(held)}`,
        {
          hint: `deliver it first: gt refinery run ${name} delivers landed work (gt status says why it could not), polecats finish with gt done, crew push their branches`,
          details: held,
        },
      );
    }
    if (opts.confirm !== name)
      throw usageError(
        'GT_NOT_CONFIRMED',
        `removing rig "${name}" with its work was not confirmed`,
        `type the rig's name when asked, or give it with --yes ${name}`,
      );
    saved.push(
      saveToBundle(
        town.paths.repo(name),
        savedBundlePath(town, `rig-${name}`),
        polecatNames(town, name).map((p) => ({ label: `polecat/${p}`, path: town.paths.polecat(name, p) })),
      ),
    );
    for (const c of crewNames(town, name)) {
      if (inspectWorkTree(`crew ${c}`, town.paths.crew(name, c)))
        saved.push(
          saveToBundle(town.paths.crew(name, c), savedBundlePath(town, `rig-${name}-crew-${c}`), [
            { label: 'uncommitted', path: town.paths.crew(name, c) },
          ]),
        );
    }
  } else if (opts.force && opts.confirm !== undefined && opts.confirm !== name) {
    throw usageError(
      'GT_NOT_CONFIRMED',
      `--yes ${opts.confirm} does not match the rig's name "${name}"`,
      `give --yes ${name}`,
    );
  }
  const path = town.paths.rig(name);
  rmSync(path, { recursive: true, force: true });
  return { name, path, prefix: rig.prefix, saved };
}
