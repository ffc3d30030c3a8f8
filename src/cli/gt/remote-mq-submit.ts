// `gt mq submit` as a client of the town API: the branch lives in this (remote) clone, so it is pushed from here to
// the rig over the town's git endpoint; then the town runs `gt mq submit --rig <rig> --head <commit>`, which checks
// the branch is there at that commit and queues the merge request.
import { GtError, messageOf } from '../../kernel/index.ts';
import { headBranch, pushTo, revParse } from '../../git/index.ts';
import { myHook, runInTown, townClient, townGitEnv, townGitUrl, type MyHook } from '../../client/index.ts';
import { replay } from '../shared/remote.ts';
import { reportError, type CliIo } from '../shared/runtime.ts';

/** The value of `--name <v>` or `--name=<v>` in argv. */
function optionOf(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === name) return argv[i + 1];
    if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
  }
  return undefined;
}

/** The caller's rig: its polecat's, else the one its address names (`<rig>/crew/<name>`). */
function rigOf(h: MyHook): string {
  const rig = h.polecat?.rig ?? (h.address.includes('/') ? h.address.split('/')[0] : undefined);
  if (!rig)
    throw new GtError('GT_NO_RIG', `${h.address} belongs to no rig, so there is no merge queue to submit to`, {
      hint: "submit with a polecat's or crew member's token, or run gt mq submit in the town",
    });
  return rig;
}

export async function runRemoteMqSubmit(argv: readonly string[], io: CliIo): Promise<number> {
  const json = argv.includes('--json');
  try {
    const c = townClient(io.env);
    if (argv.includes('--help') || argv.includes('-h') || optionOf(argv, '--head') !== undefined)
      return replay(io, await runInTown(c, 'gt', argv));
    const rig = rigOf(await myHook(c));
    const given = optionOf(argv, '--branch');
    const branch = given ?? headBranch(io.cwd);
    if (!branch)
      throw new GtError('GT_NO_BRANCH', `HEAD is detached in ${io.cwd}, so there is no branch to submit`, {
        kind: 'usage',
        hint: 'check out your work branch, or name it: gt mq submit --branch <branch>',
      });
    const head = revParse(io.cwd, `refs/heads/${branch}`);
    if (!head)
      throw new GtError('GT_NO_BRANCH', `there is no branch "${branch}" in ${io.cwd}`, {
        kind: 'usage',
        hint: 'list branches with git branch',
      });
    const r = pushTo(io.cwd, townGitUrl(c, rig), `${head}:refs/heads/${branch}`, {
      env: townGitEnv(c),
      timeoutMs: 300_000,
    });
    if (!r.ok) {
      const why = r.output.split('\n').find((l) => /rejected|error|denied|refused/i.test(l)) ?? r.output.split('\n')[0];
      throw new GtError('GT_PUSH_REFUSED', `the town's rig ${rig} refused ${branch}: ${(why ?? '').trim()}`, {
        hint: 'your commits are safe in this clone; if the branch there has commits yours lacks, bring them in (git pull) and submit again',
      });
    }
    const rest = [...argv.filter((a) => a !== '--rig' && !a.startsWith('--rig='))];
    return replay(
      io,
      await runInTown(c, 'gt', [
        ...rest,
        ...(given === undefined ? ['--branch', branch] : []),
        '--rig',
        rig,
        '--head',
        head,
      ]),
    );
  } catch (e) {
    return reportError(io, json, e instanceof GtError ? e : new GtError('INTERNAL', messageOf(e)));
  }
}
