// `gt rig add`: bare clone, default branch, refinery worktree, rig.json and the repo's beads, all or nothing.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { GtError, isoNow, usageError, type Clock } from '../kernel/index.ts';
import {
  addWorktree,
  branchExists,
  cloneBare,
  createInitialCommit,
  gitVersion,
  hasCommits,
  headBranch,
  listBranches,
  readFileAt,
  setHeadBranch,
} from '../git/index.ts';
import type { TownContext } from './context.ts';
import { prefixFromName, TOWN_PREFIX, validatePrefix, validateRigName } from './names.ts';
import { importRigLedger, ledgerPrefixOf, type RigBeadsImport } from './rig-beads.ts';
import { allRigs, rigNames, saveRig } from './rigs.ts';
import type { RigConfig } from './schema.ts';

export interface AddRigOptions {
  name: string;
  /** A git URL, a `file://` URL, or a local path (relative to `cwd`). */
  source: string;
  prefix?: string;
  branch?: string;
  cwd: string;
  clock?: Clock;
}

export interface AddRigResult {
  rig: RigConfig;
  path: string;
  /** True when the repository had no commits and the rig's bare repo was given an empty first commit. */
  initial_commit: boolean;
  /** Present when the repository tracks `.beads/issues.jsonl`. */
  beads?: RigBeadsImport;
}

const RIG_IDENTITY = { name: 'Gas Town', email: 'gastown@localhost' };

/** A URL git understands (scheme://… or scp-like user@host:path), as opposed to a local path. */
function isUrl(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^[^/\s]+@[^/\s]+:/.test(s);
}

export function addRig(town: TownContext, opts: AddRigOptions): AddRigResult {
  const name = validateRigName(opts.name);
  const wanted = opts.prefix !== undefined ? validatePrefix(opts.prefix) : undefined;
  if (opts.branch !== undefined && !/^[A-Za-z0-9._/-]+$/.test(opts.branch)) {
    throw usageError(
      'GT_BAD_BRANCH',
      `invalid branch name "${opts.branch}"`,
      'give the branch as git names it, e.g. --branch trunk',
    );
  }
  const dir = town.paths.rig(name);
  if (rigNames(town).includes(name)) {
    throw new GtError('GT_RIG_EXISTS', `the town already has a rig named "${name}" (${dir})`, {
      hint: 'choose another name, or see it with gt rig show ' + name,
    });
  }
  if (existsSync(dir))
    throw new GtError('GT_RIG_EXISTS', `${dir} already exists and is not a rig`, { hint: 'choose another rig name' });
  const taken = takenPrefixes(town);
  if (wanted && taken.has(wanted)) throw prefixTaken(wanted, taken.get(wanted)!);
  const url = isUrl(opts.source) ? opts.source : resolve(opts.cwd, opts.source);
  if (!isUrl(opts.source) && !existsSync(url)) {
    throw new GtError('GT_REPO_NOT_FOUND', `no repository at ${url}`, {
      kind: 'usage',
      hint: 'give a git URL or the path of an existing repository',
    });
  }
  gitVersion();

  claimDir(dir);
  try {
    const repo = town.paths.repo(name);
    cloneBare(url, repo);
    const { branch, initial } = settleDefaultBranch(repo, opts.branch);
    addWorktree(repo, town.paths.refinery(name), branch);
    mkdirSync(town.paths.polecats(name), { recursive: true });
    mkdirSync(town.paths.crewDir(name), { recursive: true });
    const ledger = initial ? undefined : readFileAt(repo, branch, '.beads/issues.jsonl');
    const prefix =
      wanted ??
      choosePrefix(name, ledgerPrefixOf(initial ? undefined : readFileAt(repo, branch, '.beads/config.toml')), taken);
    const rig = saveRig(town, {
      version: 1,
      name,
      git_url: url,
      default_branch: branch,
      prefix,
      created: isoNow(opts.clock),
      gates: {},
      merge_strategy: 'mr',
    });
    const beads = ledger !== undefined ? importRigLedger(town, ledger, prefix) : undefined;
    return { rig, path: dir, initial_commit: initial, ...(beads ? { beads } : {}) };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Create the rig directory; EEXIST means another `gt rig add` got there first. */
function claimDir(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new GtError('GT_RIG_EXISTS', `${dir} already exists`, { hint: 'choose another rig name' });
    throw e;
  }
}

/** Pick the rig's default branch in the fresh bare clone, giving an empty repository its first commit. */
function settleDefaultBranch(repo: string, requested: string | undefined): { branch: string; initial: boolean } {
  const head = headBranch(repo);
  if (!hasCommits(repo)) {
    const branch = requested ?? head ?? 'main';
    createInitialCommit(repo, branch, RIG_IDENTITY, 'Initial commit (created by gt rig add)');
    setHeadBranch(repo, branch);
    return { branch, initial: true };
  }
  if (requested !== undefined) {
    if (!branchExists(repo, requested)) {
      throw new GtError('GT_BRANCH_NOT_FOUND', `the repository has no branch "${requested}"`, {
        kind: 'usage',
        hint: `branches: ${listBranches(repo).join(', ')}`,
      });
    }
    setHeadBranch(repo, requested);
    return { branch: requested, initial: false };
  }
  const branches = listBranches(repo);
  const branch =
    [head, 'main', 'master'].find((b): b is string => b !== undefined && branches.includes(b)) ?? branches[0];
  if (!branch)
    throw new GtError('GT_NO_BRANCH', 'the repository has commits but no branches', {
      hint: 'give the branch to use with --branch',
    });
  if (branch !== head) setHeadBranch(repo, branch);
  return { branch, initial: false };
}

/** Prefixes in use: the town's own and every rig's, with who uses them. */
function takenPrefixes(town: TownContext): Map<string, string> {
  const m = new Map<string, string>([[TOWN_PREFIX, 'the town (hq beads)']]);
  for (const r of allRigs(town)) m.set(r.prefix, `rig "${r.name}"`);
  return m;
}

function prefixTaken(prefix: string, by: string): GtError {
  return new GtError('GT_PREFIX_TAKEN', `prefix "${prefix}" is already used by ${by}`, {
    kind: 'usage',
    hint: `choose another with --prefix, e.g. --prefix ${prefix.slice(0, 15)}2`,
  });
}

/** The repository's own beads prefix when it is free, else one derived from the rig name. */
function choosePrefix(name: string, fromLedger: string | undefined, taken: Map<string, string>): string {
  if (fromLedger && !taken.has(fromLedger)) return fromLedger;
  const derived = prefixFromName(name);
  if (taken.has(derived)) throw prefixTaken(derived, taken.get(derived)!);
  return derived;
}
