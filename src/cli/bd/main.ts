// Entry point of `bd`: builds the command tree, runs it, and is the one place that exits the process.
import { Command } from 'commander';
import { fdIo, runProgram, type CliIo } from '../shared/runtime.ts';
import { createBdCtx } from './context.ts';
import { registerInit } from './commands/init.ts';
import { registerCreate } from './commands/create.ts';
import { registerShow } from './commands/show.ts';
import { registerList } from './commands/list.ts';
import { registerUpdate } from './commands/update.ts';
import { registerReady } from './commands/ready.ts';
import { registerDep } from './commands/dep.ts';
import { registerLabel } from './commands/label.ts';
import { registerStats } from './commands/stats.ts';
import { registerTransfer } from './commands/transfer.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerPrime } from './commands/prime.ts';
import { registerMergeDriverCommand } from './commands/merge-driver.ts';
import { registerFormula } from './commands/formula.ts';
import { VERSION } from '../../kernel/version.ts';
import { leaveWalOnClose } from '../../beads/index.ts';
import { runRemote, type Guard } from '../shared/remote.ts';

type Register = (program: Command, ctx: ReturnType<typeof createBdCtx>) => void;

/** Each command group with the command names it registers. */
const GROUPS: [string[], Register][] = [
  [['init'], registerInit],
  [['create', 'new'], registerCreate],
  [['show', 'view'], registerShow],
  [['list', 'search'], registerList],
  [['update', 'close', 'done', 'reopen', 'delete'], registerUpdate],
  [['ready', 'blocked'], registerReady],
  [['dep'], registerDep],
  [['label', 'comments'], registerLabel],
  [['stats', 'status'], registerStats],
  [['export', 'import'], registerTransfer],
  [['doctor'], registerDoctor],
  [['prime'], registerPrime],
  [['merge-driver'], registerMergeDriverCommand],
  [['formula', 'cook', 'mol'], registerFormula],
];

/**
 * Only the group of the command being run is registered (start-up time is most of a bd call); help, a missing or
 * an unknown command get them all so the usage text and errors are complete.
 */
function registrarsFor(argv: readonly string[]): Register[] {
  const name = argv.find((a, i) => !a.startsWith('-') && argv[i - 1] !== '--actor');
  const group = GROUPS.find(([names]) => name !== undefined && names.includes(name));
  return group && !argv.includes('--help') && !argv.includes('-h') ? [group[1]] : GROUPS.map(([, r]) => r);
}

/**
 * Run bd with `argv` (without the program name) and return the exit code. With GT_TOWN_URL set, bd is a client of the
 * town API; `guard` is how the town's server runs it for a caller (checked before the action).
 */
export async function runBd(argv: readonly string[], io: CliIo, opts: { guard?: Guard } = {}): Promise<number> {
  if (!opts.guard && io.env.GT_TOWN_URL) return runRemote('bd', argv, io);
  const program = new Command('bd')
    .description('Beads: a git-backed issue tracker for people and coding agents')
    .version(VERSION, '-V, --version')
    .option('--json', 'print results as JSON (stable shapes: docs/formats/bd-json.md)')
    .option('--actor <name>', 'who is acting (default: $BD_ACTOR, git user.name, $USER)')
    .showHelpAfterError(false);
  const ctx = createBdCtx(io, program);
  for (const register of registrarsFor(argv)) register(program, ctx);
  const guard = opts.guard;
  if (guard) program.hook('preAction', (_root, action) => guard(action, 'bd'));
  try {
    return await runProgram(program, argv, io, () => argv.includes('--json'));
  } finally {
    ctx.close();
  }
}

export async function main(): Promise<void> {
  leaveWalOnClose('park'); // it exits right after: the next process takes the WAL over (src/beads/sqlite.ts)
  const code = await runBd(process.argv.slice(2), fdIo());
  // Everything is written (fdIo writes synchronously), every write committed and the store closed, and bd leaves
  // nothing running: exit now. A natural exit first tears down the JavaScript heap, about 9 ms of every bd call.
  process.exit(code);
}

/**
 * `bd list | head` closes our stdout early: that is not an error worth a stack trace. A command that must clean up
 * first (gt demo stops its daemon and agents) adds its own listener, and then this one leaves the exit to it.
 */
export function exitQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    if (process.stdout.listenerCount('error') === 1) process.exit(0);
  });
}
