// bd doctor: integrity checks, and --fix for the repairs that lose nothing.
import type { Command } from 'commander';
import { runDoctor } from '../../../beads/index.ts';
import { emit, ExitSignal } from '../../shared/runtime.ts';
import type { BdCtx } from '../context.ts';
import { mergeDriverCommand } from '../self.ts';

export function registerDoctor(program: Command, ctx: BdCtx): void {
  program
    .command('doctor')
    .description('check the store: schema, dangling edges, blocked flags, cycles, the ledger and its merges')
    .option(
      '--fix',
      'repair what can be repaired without losing data (a mid-merge ledger is merged from both sides; a changed one is backed up first)',
    )
    .action((o: { fix?: boolean }) => {
      // Opened without reading the ledger: a ledger git left mid-merge is doctor's to report and merge, not to refuse.
      const checks = runDoctor(ctx.store({ raw: true }), Boolean(o.fix), {
        driverCommand: mergeDriverCommand(),
        importLedger: true,
      });
      const ok = checks.every((c) => c.ok || c.fixed);
      emit(ctx.io, ctx.json(), {
        data: { ok, checks },
        text: checks.map((c) => `${c.ok ? '✓' : c.fixed ? '✓ fixed' : '✗'} ${c.name}: ${c.detail}`).join('\n'),
      });
      if (!ok) throw new ExitSignal(1);
    });
}
