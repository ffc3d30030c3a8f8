// Crew: full clones for people at <rig>/crew/<name>, with their own git identity.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { GtError, usageError } from '../kernel/index.ts';
import { addRemote, cloneRepo, configSet, gitVersion, headBranch, heldWork, renameRemote } from '../git/index.ts';
import type { TownContext } from './context.ts';
import { inspectWorkTree, saveToBundle } from './held-work.ts';
import { savedBundlePath } from './rig-remove.ts';
import { validateCrewName } from './names.ts';
import { crewNames, loadRig, rigNames } from './rigs.ts';

export interface CrewMember {
  rig: string;
  name: string;
  path: string;
  /** The checked-out branch (undefined when HEAD is detached). */
  branch?: string | undefined;
  /** Files with uncommitted changes. */
  uncommitted?: number;
  git_name?: string;
  git_email?: string;
}

/** The identity a crew member's commits carry. */
export function crewIdentity(rig: string, name: string): { name: string; email: string } {
  return { name: `${rig}/crew/${name}`, email: `${rig}.crew.${name}@gastown.local` };
}

/**
 * Clone the rig's bare repository (local, no network) on the default branch. Remotes: `origin` is the project's
 * own URL (where the person pushes), `rig` is the rig's bare repository (the town's branches and merges).
 */
export function addCrew(town: TownContext, rigName: string, name: string): CrewMember {
  validateCrewName(name);
  const rig = loadRig(town, rigName);
  const path = town.paths.crew(rigName, name);
  if (existsSync(path)) {
    throw new GtError('GT_CREW_EXISTS', `rig "${rigName}" already has a crew member "${name}" (${path})`, {
      hint: 'choose another name, or see gt crew list',
    });
  }
  gitVersion();
  mkdirSync(town.paths.crewDir(rigName), { recursive: true });
  try {
    cloneRepo(town.paths.repo(rigName), path, { branch: rig.default_branch });
    renameRemote(path, 'origin', 'rig');
    addRemote(path, 'origin', rig.git_url);
    const who = crewIdentity(rigName, name);
    configSet(path, 'user.name', who.name);
    configSet(path, 'user.email', who.email);
    return { rig: rigName, name, path, branch: rig.default_branch, git_name: who.name, git_email: who.email };
  } catch (e) {
    rmSync(path, { recursive: true, force: true });
    throw e;
  }
}

/** Crew of one rig, or of every rig. */
export function listCrew(town: TownContext, rigName?: string): CrewMember[] {
  const rigs = rigName !== undefined ? [loadRig(town, rigName).name] : rigNames(town);
  return rigs.flatMap((rig) =>
    crewNames(town, rig).map((name) => {
      const path = town.paths.crew(rig, name);
      const isRepo = existsSync(`${path}/.git`);
      return {
        rig,
        name,
        path,
        branch: isRepo ? headBranch(path) : undefined,
        uncommitted: isRepo ? heldWork(path).uncommitted.length : 0,
      };
    }),
  );
}

/**
 * Delete a crew clone, refused while it holds uncommitted, unpushed or stashed work (named, with where it is).
 * `force` (with `confirm` repeating the member's name) saves that work to a bundle file first.
 */
export function removeCrew(
  town: TownContext,
  rigName: string,
  name: string,
  opts: { force?: boolean; confirm?: string } = {},
): CrewMember & { saved?: string } {
  loadRig(town, rigName);
  const path = town.paths.crew(rigName, name);
  if (!crewNames(town, rigName).includes(name)) {
    const known = crewNames(town, rigName);
    throw new GtError('GT_CREW_NOT_FOUND', `rig "${rigName}" has no crew member "${name}"`, {
      kind: 'usage',
      hint: known.length
        ? `crew of ${rigName}: ${known.join(', ')}`
        : `add one with gt crew add ${name} --rig ${rigName}`,
    });
  }
  const held = inspectWorkTree(`crew ${name}`, path);
  let saved: string | undefined;
  if (held) {
    if (!opts.force) {
      throw new GtError(
        'GT_CREW_HOLDS_WORK',
        `crew ${name} of rig "${rigName}" still holds work: ${held.holds}, in ${path}`,
        {
          hint: 'commit and push it (git push origin <branch>, or to the rig remote), then run gt crew remove again',
          details: [held],
        },
      );
    }
    if (opts.confirm !== name)
      throw usageError(
        'GT_NOT_CONFIRMED',
        `removing crew ${name} with its work was not confirmed`,
        `type the crew member's name when asked, or give it with --yes ${name}`,
      );
    saved = existsSync(`${path}/.git`)
      ? saveToBundle(path, savedBundlePath(town, `crew-${rigName}-${name}`), [{ label: 'uncommitted', path }])
      : undefined;
  }
  rmSync(path, { recursive: true, force: true });
  return { rig: rigName, name, path, ...(saved ? { saved } : {}) };
}
