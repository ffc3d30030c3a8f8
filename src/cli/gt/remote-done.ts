// `gt done` as a client of the town API: the work lives in this (remote) workspace, so its git half runs here:
// leftovers committed, the polecat's branch pushed to the town over git smart HTTP; then the town runs `gt done
// --pushed <head>`, which checks the branch is there and queues the merge request. The refinery stays in the town.
import { GtError, messageOf } from '../../kernel/index.ts';
import { commitWorkTree } from '../../git/index.ts';
import { commandOf, myHook, pushWorkspace, runInTown, townClient } from '../../client/index.ts';
import { replay } from '../shared/remote.ts';
import { reportError, type CliIo } from '../shared/runtime.ts';

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

export async function runRemoteDone(argv: readonly string[], io: CliIo): Promise<number> {
  const json = argv.includes('--json');
  try {
    const c = townClient(io.env);
    if (argv.includes('--help') || argv.includes('-h') || commandOf(argv) !== 'done')
      return replay(io, await runInTown(c, 'gt', argv));
    const h = await myHook(c);
    const { status, note } = doneArgs(argv);
    if (
      !h.bead ||
      !h.polecat?.branch ||
      h.bead.status === 'closed' ||
      !['completed', 'escalated', 'deferred'].includes(status)
    ) {
      return replay(io, await runInTown(c, 'gt', argv));
    }
    const subject =
      status === 'completed'
        ? `${h.bead.title} (${h.bead.id})`
        : `WIP ${h.bead.id}: ${status}${note ? `: ${note}` : ''}`;
    // The polecat's own git identity, as gt done in the town commits (src/work/sessions/identity.ts).
    const who = {
      name: `${h.polecat.rig}/${h.polecat.name}`,
      email: `${h.polecat.rig}.${h.polecat.name}@gastown.local`,
    };
    // No hooks at all: the workspace's post-commit push is not wanted here, gt done pushes next.
    const committed = commitWorkTree(io.cwd, [subject, ...(note && status === 'completed' ? [note] : [])], who, {
      hooks: 'none',
    });
    const pushed = pushWorkspace(c, h, io.cwd);
    return replay(
      io,
      await runInTown(c, 'gt', [...argv, '--pushed', pushed.head, ...(committed ? ['--committed-leftovers'] : [])]),
    );
  } catch (e) {
    return reportError(io, json, e instanceof GtError ? e : new GtError('INTERNAL', messageOf(e)));
  }
}
