// gt and bd as clients of the town API (docs/town-api.md): the command is run in the town (src/client) and its own
// output and exit code are replayed here.
import type { Command } from 'commander';
import { GtError, messageOf } from '../../kernel/index.ts';
import { commandOf, isHookCall, runInTown, stdinFor, townClient, type RunReply } from '../../client/index.ts';
import { reportError, type CliIo } from './runtime.ts';

/** How the town's server runs a command for a caller: called with the parsed command before its action. */
export type Guard = (cmd: Command, program: 'gt' | 'bd') => void;

/** Replay a reply: the command's own output and exit code. */
export function replay(io: CliIo, r: RunReply): number {
  if (r.stdout) io.out(r.stdout);
  if (r.stderr) io.err(r.stderr);
  return r.code;
}

/** Run `program argv` in the town and print what it printed; the exit code is the command's. */
export async function runRemote(program: 'gt' | 'bd', argv: readonly string[], io: CliIo): Promise<number> {
  const json = argv.includes('--json');
  try {
    const c = townClient(io.env);
    const s = stdinFor(program, argv, io);
    return replay(io, await runInTown(c, program, s.argv, s.stdin));
  } catch (e) {
    if (isHookCall(program, argv)) {
      io.err(`${program} ${commandOf(argv) ?? ''}: ${messageOf(e).split('\n')[0]}\n`);
      return 0;
    }
    const err = e instanceof GtError ? e : new GtError('INTERNAL', messageOf(e));
    return reportError(io, json, err);
  }
}
