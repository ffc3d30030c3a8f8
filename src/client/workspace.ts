// A polecat's workspace away from the town: a clone of its rig from the town's git endpoint on the polecat's branch,
// which pushes the branch back at every commit (a post-commit hook) and its uncommitted state as snapshot refs, so a
// lost host loses only minutes of uncommitted work (docs/town-api.md). The token never lands in the clone: git asks
// a credential helper that reads GT_TOWN_TOKEN or GT_TOWN_TOKEN_FILE from the environment at each use.
import { chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GtError } from '../kernel/index.ts';
import { cloneFrom, commitTree, configSet, headCommit, pushTo, worktreeTree } from '../git/index.ts';
import { runInTown, type TownClient } from './remote.ts';

export interface MyHook {
  address: string;
  bead: { id: string; title: string; status: string } | null;
  polecat: { rig: string; name: string; branch: string | null } | null;
}

/** The caller's hook as the town has it (`gt hook --json` run in the town). */
export async function myHook(c: TownClient): Promise<MyHook> {
  const r = await runInTown(c, 'gt', ['hook', '--json']);
  if (r.code !== 0)
    throw new GtError(
      'GT_TOWN_REFUSED',
      r.stderr.split('\n')[0]?.replace(/^Error: /, '') || `gt hook exited ${r.code}`,
      { hint: 'check the token with gt hook' },
    );
  return JSON.parse(r.stdout) as MyHook;
}

function polecatOf(h: MyHook): { rig: string; name: string; branch: string } {
  if (!h.polecat?.branch) {
    throw new GtError('GT_NOT_A_POLECAT', `${h.address} has no polecat branch in the town`, {
      hint: 'a workspace is for a polecat with work on its hook (gt hook)',
    });
  }
  return { rig: h.polecat.rig, name: h.polecat.name, branch: h.polecat.branch };
}

/** Git's environment for talking to the town: the token as a header, in the environment, never on a command line. */
export function townGitEnv(c: TownClient): Record<string, string> {
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: Bearer ${c.token}`,
    GIT_TERMINAL_PROMPT: '0',
  };
}

export function townGitUrl(c: TownClient, rig: string): string {
  return `${c.url}/git/${encodeURIComponent(rig)}.git`;
}

/** Reads the token from the environment when git asks (so a plain `git fetch` in the workspace works too). */
export const CREDENTIAL_HELPER =
  '!f() { test "$1" = get || exit 0; echo username=gt; printf \'password=%s\\n\' "${GT_TOWN_TOKEN:-$(cat "$GT_TOWN_TOKEN_FILE")}"; }; f';

export function postCommitHook(gtCommand: readonly string[]): string {
  const q = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
  return `#!/bin/sh\n# Written by gt workspace clone: every commit goes to the town at once (docs/town-api.md).\n${gtCommand.map(q).join(' ')} workspace push --quiet || true\n`;
}

export interface CloneResult {
  dir: string;
  rig: string;
  branch: string;
  head: string;
}

/** Clone the polecat's rig into `dir` on its branch, with the credential helper and the post-commit hook. */
export function cloneWorkspace(c: TownClient, h: MyHook, dir: string, gtCommand: readonly string[]): CloneResult {
  const p = polecatOf(h);
  const target = resolve(dir);
  if (existsSync(target))
    throw new GtError('GT_EXISTS', `${target} exists already`, {
      hint: 'give a new directory, or run gt workspace push inside the existing one',
    });
  const r = cloneFrom(townGitUrl(c, p.rig), target, { branch: p.branch, env: townGitEnv(c), timeoutMs: 600_000 });
  if (!r.ok) {
    rmSync(target, { recursive: true, force: true });
    throw new GtError(
      'GT_CLONE_FAILED',
      `could not clone ${p.rig} from the town: ${r.output.split('\n').slice(-2).join(' ')}`,
      { hint: 'check that the town is reachable (gt hook) and that the branch exists there' },
    );
  }
  configSet(target, 'credential.helper', CREDENTIAL_HELPER);
  const hook = join(target, '.git', 'hooks', 'post-commit');
  writeFileSync(hook, postCommitHook(gtCommand));
  chmodSync(hook, 0o755);
  return { dir: target, rig: p.rig, branch: p.branch, head: headCommit(target) };
}

export interface PushResult {
  branch: string;
  head: string;
}

/** Push HEAD to the polecat's branch in the town (forced: the branch is this polecat's alone). */
export function pushWorkspace(c: TownClient, h: MyHook, cwd: string): PushResult {
  const p = polecatOf(h);
  const head = headCommit(cwd);
  const r = pushTo(cwd, townGitUrl(c, p.rig), `HEAD:refs/heads/${p.branch}`, {
    force: true,
    env: townGitEnv(c),
    timeoutMs: 300_000,
  });
  if (!r.ok) {
    throw new GtError(
      'GT_PUSH_FAILED',
      `could not push ${p.branch} to the town: ${r.output.split('\n').slice(-3).join(' ')}`,
      {
        hint: 'your commits are safe in this workspace; check that the town is reachable (gt hook) and push again with gt workspace push',
      },
    );
  }
  return { branch: p.branch, head };
}

export interface SnapshotPush {
  ref: string;
  commit: string;
  parent: string;
}

/** The workspace's whole state (uncommitted and untracked files too) as a commit on `refs/gt/hooks/<name>/<ms>` in the town. */
export function snapshotWorkspace(c: TownClient, h: MyHook, cwd: string): SnapshotPush {
  const p = polecatOf(h);
  const parent = headCommit(cwd);
  const tree = worktreeTree(cwd);
  const commit = commitTree(
    cwd,
    tree,
    [parent],
    `gt hook snapshot of ${p.rig}/${p.name}${h.bead ? ` (${h.bead.id})` : ''}\n`,
    { name: 'Gas Town', email: 'gastown@localhost' },
  );
  const ref = `refs/gt/hooks/${p.name}/${Date.now()}`;
  const r = pushTo(cwd, townGitUrl(c, p.rig), `${commit}:${ref}`, { env: townGitEnv(c), timeoutMs: 300_000 });
  if (!r.ok)
    throw new GtError(
      'GT_PUSH_FAILED',
      `could not push a snapshot to the town: ${r.output.split('\n').slice(-3).join(' ')}`,
      { hint: 'check that the town is reachable (gt hook)' },
    );
  return { ref, commit, parent };
}
