// A polecat's workspace on an SSH host, made by shell on the host inside the start's one ssh call: one clone of the
// rig per host (`<dir>/repos/<rig>.git`, bare) and a worktree per polecat on its branch, fetched from the town's git
// endpoint with the agent's token (in git's environment, never on a command line). Cheaper than a clone per polecat
// (only the branch's new objects travel, and nothing when the host has its commit already: a new polecat's branch
// starts at the rig's default branch) and no gt process on the host. The clone's credential helper and
// post-commit hook are the ones `gt workspace clone` installs, so every commit is pushed to the town at once.
import { CREDENTIAL_HELPER, postCommitHook } from '../../client/index.ts';
import { shellQuote } from '../../tmux/index.ts';

export interface HostWorkspace {
  /** The host's Gas Town directory. */
  dir: string;
  rig: string;
  /** The polecat's working directory (`<dir>/work/<rig>/<name>`). */
  workdir: string;
  branch: string;
  /** The branch's commit in the town: when the host's clone has it already, nothing is fetched. */
  commit?: string;
  /** The rig's git URL as the host reaches it (through the tunnel). */
  gitUrl: string;
  tokenFile: string;
  /** The command the post-commit hook runs (`<dir>/bin/gt`). */
  gt: string;
}

/**
 * Shell lines (run under `set -e`) that leave `workdir` a worktree on `branch`. A workdir already on the branch is
 * kept (a restart); one on another branch (a name used again) is moved aside to `work/<rig>/.old/`, never deleted.
 * Concurrent starts on one host take turns on the rig's clone (a mkdir lock, taken over after 120 s).
 */
export function workspaceScript(w: HostWorkspace): string {
  const q = shellQuote;
  const base = `${w.dir}/repos/${w.rig}.git`;
  const lock = `${base}.lock`;
  const hook = postCommitHook([w.gt]);
  return [
    `gt_wd=${q(w.workdir)}; gt_base=${q(base)}; gt_branch=${q(w.branch)}`,
    'gt_head=$(git -C "$gt_wd" symbolic-ref -q --short HEAD 2>/dev/null || true)',
    'if [ "$gt_head" != "$gt_branch" ]; then',
    '  if [ -e "$gt_wd" ]; then',
    `    mkdir -p ${q(`${w.dir}/work/${w.rig}/.old`)}`,
    `    mv "$gt_wd" ${q(`${w.dir}/work/${w.rig}/.old/`)}"$(basename "$gt_wd")-$(date +%s)-$$"`,
    '  fi',
    `  mkdir -p ${q(`${w.dir}/repos`)}`,
    `  gt_n=0; until mkdir ${q(lock)} 2>/dev/null; do gt_n=$((gt_n+1)); [ $gt_n -lt 1200 ] || { rm -rf ${q(lock)}; gt_n=0; }; sleep 0.1; done`,
    `  trap 'rm -rf ${lock.replaceAll("'", "'\\''")}' EXIT`,
    // The token as an HTTP header in git's environment (readable only by this account), for this script's fetches.
    `  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraHeader GIT_CONFIG_VALUE_0="Authorization: Bearer $(cat ${q(w.tokenFile)})" GIT_TERMINAL_PROMPT=0`,
    '  if [ ! -d "$gt_base" ]; then',
    `    git clone -q --bare --single-branch --branch "$gt_branch" ${q(w.gitUrl)} "$gt_base.new"`,
    '    mv "$gt_base.new" "$gt_base"',
    `    git -C "$gt_base" config credential.helper ${q(CREDENTIAL_HELPER)}`,
    `    printf '%s' ${q(hook)} > "$gt_base/hooks/post-commit"; chmod 755 "$gt_base/hooks/post-commit"`,
    ...(w.commit
      ? [
          `  elif git -C "$gt_base" cat-file -e ${q(`${w.commit}^{commit}`)} 2>/dev/null; then`,
          `    git -C "$gt_base" update-ref "refs/heads/$gt_branch" ${q(w.commit)}`,
        ]
      : []),
    '  else',
    `    git -C "$gt_base" fetch -q ${q(w.gitUrl)} "+refs/heads/$gt_branch:refs/heads/$gt_branch"`,
    '  fi',
    '  git -C "$gt_base" worktree prune',
    '  git -C "$gt_base" worktree add -q "$gt_wd" "$gt_branch"',
    '  rm -rf ' + q(lock) + '; trap - EXIT',
    'fi',
  ].join('\n');
}
