// `gt done` as a client of the town API: the work lives in this (remote) workspace, so its git half runs here:
// leftovers committed, the polecat's branch pushed to the town over git smart HTTP; then the town runs `gt done
// --pushed <head>`, which checks the branch is there and queues the merge request. The refinery stays in the town.
import { GtError, messageOf } from '../../kernel/index.ts';
import { git, gitTry } from '../../git/index.ts';
import { commandOf, runInTown, townClient, type TownClient } from '../../client/index.ts';
import { replay } from '../shared/remote.ts';
import { reportError, type CliIo } from '../shared/runtime.ts';

interface HookJson {
  address: string;
  bead: { id: string; title: string; status: string } | null;
  polecat: { rig: string; name: string; branch: string | null } | null;
}

/** `--status` and `--message` as `gt done` reads them (for the leftovers' commit message, the same as local). */
function doneArgs(argv: readonly string[]): { status: string; note?: string } {
  let status = 'completed';
  let note: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const m = /^(--status|--message)=(.*)$/s.exec(a);
    if (m?.[1] === '--status') status = m[2]!;
    else if (m) note = m[2]!;
    else if (a === '--status') status = argv[++i] ?? status;
    else if (a === '-m' || a === '--message') note = argv[++i];
  }
  return { status: status.trim().toLowerCase(), ...(note !== undefined ? { note } : {}) };
}

/** Environment for git talking to the town: the token as a header, in the environment (never on a command line). */
export function townGitEnv(c: TownClient): Record<string, string> {
  return { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: `Authorization: Bearer ${c.token}`, GIT_TERMINAL_PROMPT: '0' };
}

/** The address of a rig's repository on the town's git endpoint. */
export function townGitUrl(c: TownClient, rig: string): string {
  return `${c.url}/git/${encodeURIComponent(rig)}.git`;
}

export async function runRemoteDone(argv: readonly string[], io: CliIo): Promise<number> {
  const json = argv.includes('--json');
  try {
    const c = townClient(io.env);
    if (argv.includes('--help') || argv.includes('-h') || commandOf(argv) !== 'done') return replay(io, await runInTown(c, 'gt', argv));
    const hook = await runInTown(c, 'gt', ['hook', '--json']);
    if (hook.code !== 0) return replay(io, hook);
    const v = JSON.parse(hook.stdout) as HookJson;
    if (!v.bead || !v.polecat?.branch || v.bead.status === 'closed' || !['completed', 'escalated', 'deferred'].includes(doneArgs(argv).status)) {
      return replay(io, await runInTown(c, 'gt', argv));
    }
    const { status, note } = doneArgs(argv);
    const wt = io.cwd;
    let committed = false;
    if (git(wt, ['status', '--porcelain', '--untracked-files=all']).trim() !== '') {
      const subject = status === 'completed' ? `${v.bead.title} (${v.bead.id})` : `WIP ${v.bead.id}: ${status}${note ? `: ${note}` : ''}`;
      // The polecat's own git identity, as gt done in the town commits (src/work/sessions/identity.ts).
      const who = { name: `${v.polecat.rig}/${v.polecat.name}`, email: `${v.polecat.rig}.${v.polecat.name}@gastown.local` };
      const env = { GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email, GIT_COMMITTER_NAME: who.name, GIT_COMMITTER_EMAIL: who.email };
      git(wt, ['add', '-A'], { env });
      git(wt, ['-c', 'commit.gpgsign=false', 'commit', '--quiet', '--no-verify', '-m', subject, ...(note && status === 'completed' ? ['-m', note] : [])], { env });
      committed = true;
    }
    const head = git(wt, ['rev-parse', 'HEAD']).trim();
    const push = gitTry(wt, ['push', '--quiet', '--force', townGitUrl(c, v.polecat.rig), `HEAD:refs/heads/${v.polecat.branch}`], { env: townGitEnv(c), timeoutMs: 300_000 });
    if (push.status !== 0) {
      throw new GtError('GT_PUSH_FAILED', `could not push ${v.polecat.branch} to the town: ${(push.stderr.trim() || push.stdout.trim()).split('\n').slice(-3).join(' ')}`, {
        hint: 'your commits are safe in this workspace; check that the town is reachable (gt hook) and run gt done again',
      });
    }
    return replay(io, await runInTown(c, 'gt', [...argv, '--pushed', head, ...(committed ? ['--committed-leftovers'] : [])]));
  } catch (e) {
    return reportError(io, json, e instanceof GtError ? e : new GtError('INTERNAL', messageOf(e)));
  }
}
