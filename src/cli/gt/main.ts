// Entry point of `gt`, the Gas Town orchestrator. Town commands arrive with the town issue; `gt bd` reaches beads.
import { Command } from 'commander';
import { processIo, runProgram, type CliIo } from '../shared/runtime.ts';
import { VERSION } from '../shared/version.ts';
import { exitQuietlyOnClosedPipe, runBd } from '../bd/main.ts';

export async function runGt(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv[0] === 'bd') return runBd(argv.slice(1), io);
  const program = new Command('gt')
    .description('Gas Town: run many coding agents in parallel on your projects')
    .version(VERSION, '-V, --version')
    .addHelpText('after', '\nIssue tracking: `gt bd <command>` runs bd (see `bd --help`).');
  return runProgram(program, argv, io, () => argv.includes('--json'));
}

export async function main(): Promise<void> {
  exitQuietlyOnClosedPipe();
  process.exitCode = await runGt(process.argv.slice(2), processIo());
}
