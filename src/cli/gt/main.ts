// Entry point of `gt`, the Gas Town orchestrator. Town commands arrive with the town issue; `gt bd` reaches beads.
import { Command } from 'commander';
import { processIo, runProgram, type CliIo } from '../shared/runtime.ts';
import { VERSION } from '../shared/version.ts';
import { exitQuietlyOnClosedPipe, runBd } from '../bd/main.ts';
import { createGtCtx } from './context.ts';
import { registerInstall } from './commands/install.ts';
import { registerRig } from './commands/rig.ts';
import { registerCrew } from './commands/crew.ts';
import { registerConfig } from './commands/config.ts';

export async function runGt(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv[0] === 'bd') return runBd(argv.slice(1), io);
  const program = new Command('gt')
    .description('Gas Town: run many coding agents in parallel on your projects')
    .version(VERSION, '-V, --version')
    .option('--json', 'print results as JSON')
    .addHelpText('after', '\nIssue tracking: `gt bd <command>` runs bd (see `bd --help`).');
  const ctx = createGtCtx(io, program);
  for (const register of [registerInstall, registerRig, registerCrew, registerConfig]) {
    register(program, ctx);
  }
  return runProgram(program, argv, io, () => argv.includes('--json'));
}

export async function main(): Promise<void> {
  exitQuietlyOnClosedPipe();
  process.exitCode = await runGt(process.argv.slice(2), processIo());
}
