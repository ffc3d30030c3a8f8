// Making a polecat ready for a bead: a new worktree of the rig's bare repo, or an idle polecat's worktree put on a
// fresh branch. Each step that fails undoes what it did, so a failed sling leaves no half-made polecat.
import { cpSync, existsSync, globSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GtError, isGtError } from '../../kernel/index.ts';
import {
  addWorktree,
  branchExists,
  commonGitDir,
  countCommits,
  deleteBranch,
  excludeLocally,
  dropWorktree,
  revParse,
  switchToNewBranch,
} from '../../git/index.ts';
import { runSync } from '../../proc/index.ts';
import type { Store } from '../../beads/index.ts';
import { loadRig, polecatNames as polecatDirs, type RigConfig, type TownContext } from '../../town/index.ts';
import { withStore } from '../sessions/index.ts';
import { nextPolecatName, polecatBranch, validatePolecatName } from './names.ts';
import { polecatHeldWork } from './held.ts';
import {
  deletePolecat,
  getPolecat,
  insertPolecat,
  listPolecats,
  updatePolecat,
  type Polecat,
  type PolecatState,
} from './table.ts';
import { pendingBranches } from '../merge-requests.ts';

export interface CreatePolecatOptions {
  /** A pool name is chosen when absent. */
  name?: string;
  /** The bead the branch is for (`polecat/<name>/<bead>`); without one the branch is `polecat/<name>`. */
  bead?: string;
  /** Start point: a branch or commit of the rig's repo; default the rig's default branch. */
  base?: string;
  /** The state the row is created in (a sling creates it `working`, so it counts under the caps at once). */
  state?: PolecatState;
  agent?: string;
}

/** Create a polecat: claim a name (a row), add the worktree, copy `.worktreeinclude` files, run the setup gate. */
export function createPolecat(town: TownContext, rig: string, opts: CreatePolecatOptions = {}): Polecat {
  loadRig(town, rig);
  const name = withStore(town, (s) => claimPolecatName(town, s, rig, opts));
  return buildPolecatWorktree(town, rig, name, opts);
}

/**
 * The git half of creating a polecat whose row is already claimed: worktree on a new branch, `.worktreeinclude`
 * copies, setup gate. On failure everything (worktree, branch, row) is undone and the error rethrown.
 */
export function buildPolecatWorktree(
  town: TownContext,
  rig: string,
  name: string,
  opts: Pick<CreatePolecatOptions, 'bead' | 'base'> = {},
): Polecat {
  const cfg = loadRig(town, rig);
  try {
    const branch = opts.bead ? polecatBranch(name, opts.bead) : `polecat/${name}`;
    const worktree = town.paths.polecat(rig, name);
    const base = resolveBase(town, cfg, opts.base);
    addBranchWorktree(town.paths.repo(rig), worktree, branch, base);
    copyWorktreeIncludes(town.paths.refinery(rig), worktree);
    runSetupGate(cfg, worktree);
    return withStore(town, (s) => {
      updatePolecat(s, rig, name, { branch, base, worktree });
      return getPolecat(s, rig, name)!;
    });
  } catch (e) {
    discardPolecat(town, rig, name);
    throw e;
  }
}

/**
 * Polecats of the rig that are idle and whose worktree holds nothing that is not on the default branch, at most
 * `limit` of them. A polecat whose branch still waits in the merge queue holds work: that is known from the store,
 * so the git checks (three calls a polecat) run only for the others, and stop once `limit` are found: a town with
 * many finished polecats waiting to land does not make every sling slower.
 */
export function reusablePolecats(town: TownContext, rig: string, limit = Infinity): Polecat[] {
  const cfg = loadRig(town, rig);
  return withStore(town, (s) => {
    const pending = pendingBranches(s, rig);
    const out: Polecat[] = [];
    for (const p of listPolecats(s, rig)) {
      if (out.length >= limit) break;
      if (
        p.state !== 'idle' ||
        p.bead !== null ||
        (p.branch !== null && pending.has(p.branch)) ||
        !existsSync(p.worktree)
      )
        continue;
      if (polecatHeldWork(s, p, cfg.default_branch) === undefined) out.push(p);
    }
    return out;
  });
}

/** The first reusable idle polecat of the rig, if any. */
export function idlePolecat(town: TownContext, rig: string): Polecat | undefined {
  return reusablePolecats(town, rig, 1)[0];
}

/**
 * Put an idle polecat's worktree on `polecat/<name>/<bead>` from the current default branch (or `base`) and run the
 * setup gate: branch operations only, so the untracked build output stays warm. The old branch is deleted (it holds nothing unlanded).
 */
export function rebranchPolecat(town: TownContext, p: Polecat, bead: string, base?: string): Polecat {
  const cfg = loadRig(town, p.rig);
  const start = resolveBase(town, cfg, base);
  const branch = polecatBranch(p.name, bead);
  switchToNewBranch(p.worktree, branch, start);
  if (p.branch && p.branch !== branch && branchExists(town.paths.repo(p.rig), p.branch))
    deleteBranch(p.worktree, p.branch, { force: true });
  // The default branch may have moved since the last bead (new dependencies): the setup runs again, as for a new one.
  runSetupGate(cfg, p.worktree);
  return withStore(town, (s) => {
    updatePolecat(s, p.rig, p.name, { branch, base: start });
    return getPolecat(s, p.rig, p.name)!;
  });
}

/** Remove a polecat made by a failed sling: its worktree (only our fresh files), its branch, its row. */
export function discardPolecat(town: TownContext, rig: string, name: string): void {
  const repo = town.paths.repo(rig);
  const row = withStore(town, (s) => getPolecat(s, rig, name));
  dropWorktree(repo, town.paths.polecat(rig, name), row?.branch ?? undefined, { force: true });
  withStore(town, (s) => deletePolecat(s, rig, name));
}

/** Claim a free polecat name of the rig by inserting its row (use inside the caller's write to combine with other checks). */
export function claimPolecatName(town: TownContext, s: Store, rig: string, opts: CreatePolecatOptions): string {
  const taken = new Set([...listPolecats(s, rig).map((p) => p.name), ...polecatDirs(town, rig)]);
  for (;;) {
    if (opts.name !== undefined && taken.has(opts.name)) {
      throw new GtError('GT_POLECAT_EXISTS', `rig "${rig}" already has a polecat named "${opts.name}"`, {
        kind: 'usage',
        hint: `sling to it with gt sling <bead> ${rig}/${opts.name}, or leave the name out to get a free one`,
      });
    }
    const name = opts.name ?? nextPolecatName(taken);
    validatePolecatName(name);
    const row = {
      rig,
      name,
      worktree: town.paths.polecat(rig, name),
      state: opts.state ?? 'idle',
      ...(opts.bead ? { bead: opts.bead } : {}),
      ...(opts.agent ? { agent: opts.agent } : {}),
    };
    if (insertPolecat(s, row)) return name;
    taken.add(name);
  }
}

/** The commit a new branch starts from. */
function resolveBase(town: TownContext, cfg: RigConfig, base: string | undefined): string {
  const ref = base ?? cfg.default_branch;
  const commit = revParse(town.paths.repo(cfg.name), ref);
  if (!commit) {
    throw new GtError('GT_BAD_BASE', `rig "${cfg.name}" has no branch or commit "${ref}" to start from`, {
      kind: 'usage',
      hint: `give a branch of the rig's repository, e.g. --base ${cfg.default_branch}`,
    });
  }
  return commit;
}

/** `git worktree add -B` (git waits out a concurrent sling's lock files), refused while the branch holds work. */
function addBranchWorktree(repo: string, path: string, branch: string, start: string): void {
  if (branchExists(repo, branch)) {
    const ahead = countCommits(repo, [branch], [start]);
    if (ahead > 0)
      throw new GtError('GT_BRANCH_HOLDS_WORK', `branch ${branch} already exists with ${ahead} commit(s) of its own`, {
        hint: 'land or unsling that work first (gt hooks list shows who holds it)',
      });
  }
  try {
    addWorktree(repo, path, branch, { resetBranch: true, startPoint: start });
  } catch (e) {
    if (isGtError(e) && e.code === 'GIT_FAILED')
      throw new GtError('GIT_FAILED', e.message, {
        hint: 'gt hooks repair prunes stale worktree entries; then sling again',
      });
    throw e;
  }
}

/** Copy the files the repo's `.worktreeinclude` lists (paths or globs) from the refinery worktree, if they exist there. */
export function copyWorktreeIncludes(from: string, to: string): string[] {
  const list = join(to, '.worktreeinclude');
  if (!existsSync(list) || !existsSync(from)) return [];
  const copied: string[] = [];
  const patterns = readFileSync(list, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !l.includes('..'));
  // Copied local files are not work: excluded, they never count as uncommitted.
  excludeLocally(commonGitDir(to), patterns, '.worktreeinclude copies (gt)');
  for (const pattern of patterns) {
    const paths = /[*?[{]/.test(pattern) ? globSync(pattern, { cwd: from }) : [pattern.replace(/^\/+|\/+$/g, '')];
    for (const rel of paths) {
      if (!existsSync(join(from, rel)) || rel.startsWith('.git')) continue;
      cpSync(join(from, rel), join(to, rel), { recursive: true, force: true });
      copied.push(rel);
    }
  }
  return copied;
}

/** The rig's setup gate (`gates.setup` in rig.json) in the new worktree, within its timeout. */
export function runSetupGate(cfg: RigConfig, worktree: string): void {
  const gate = cfg.gates.setup;
  if (!gate) return;
  try {
    const r = runSync('sh', ['-c', gate.command], { cwd: worktree, timeoutMs: gate.timeout_seconds * 1000 });
    if (r.status === 0) return;
    const tail = `${r.stdout}${r.stderr}`.trim().split('\n').slice(-5).join(' | ');
    throw new GtError(
      'GT_SETUP_FAILED',
      `setup gate of rig "${cfg.name}" (${gate.command}) exited ${r.status}: ${tail}`,
      { hint: `fix the command in ${cfg.name}/rig.json (gates.setup) or the repository, then sling again` },
    );
  } catch (e) {
    if (isGtError(e) && e.code === 'PROC_TIMEOUT') {
      throw new GtError(
        'GT_SETUP_TIMEOUT',
        `setup gate of rig "${cfg.name}" (${gate.command}) did not finish within ${gate.timeout_seconds} s`,
        { hint: `raise gates.setup.timeout_seconds in ${cfg.name}/rig.json or make the command faster` },
      );
    }
    throw e;
  }
}
