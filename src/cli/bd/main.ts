// Entry point of `bd`: builds the command tree, runs it, and is the one place that exits the process.
import { Command } from 'commander';
import { processIo, runProgram, type CliIo } from '../shared/runtime.ts';
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
import { VERSION } from '../shared/version.ts';

/** Run bd with `argv` (without the program name) and return the exit code. */
export async function runBd(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command('bd')
    .description('Beads: a git-backed issue tracker for people and coding agents')
    .version(VERSION, '-V, --version')
    .option('--json', 'print results as JSON (stable shapes: docs/formats/bd-json.md)')
    .option('--actor <name>', 'who is acting (default: $BD_ACTOR, git user.name, $USER)')
    .showHelpAfterError(false);
  const ctx = createBdCtx(io, program);
  for (const register of [
    registerInit, registerCreate, registerShow, registerList, registerUpdate, registerReady, registerDep, registerLabel,
    registerStats, registerTransfer, registerDoctor, registerPrime, registerMergeDriverCommand,
  ]) {
    register(program, ctx);
  }
  try {
    return await runProgram(program, argv, io, () => argv.includes('--json'));
  } finally {
    ctx.close();
  }
}

export async function main(): Promise<void> {
  exitQuietlyOnClosedPipe();
  process.exitCode = await runBd(process.argv.slice(2), processIo());
}

/** `bd list | head` closes our stdout early: that is not an error worth a stack trace. */
export function exitQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}
