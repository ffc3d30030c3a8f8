// bd doctor: integrity checks, and --fix for the repairs that lose nothing.
import type { Command } from 'commander';
import { runDoctor } from '../../../beads/index.ts';
import { emit, ExitSignal } from '../../shared/runtime.ts';
import type { BdCtx } from '../context.ts';

export function registerDoctor(program: Command, ctx: BdCtx): void {
  program
    .command('doctor')
    .description('check the store: schema, dangling edges, blocked flags, cycles, ledger in sync')
    .option('--fix', 'repair what can be repaired without losing data (a changed ledger is backed up first)')
    .action((o: { fix?: boolean }) => {
      const checks = runDoctor(ctx.store(), Boolean(o.fix));
      const ok = checks.every((c) => c.ok || c.fixed);
      emit(ctx.io, ctx.json(), {
        data: { ok, checks },
        text: checks.map((c) => `${c.ok ? '✓' : c.fixed ? '✓ fixed' : '✗'} ${c.name}: ${c.detail}`).join('\n'),
      });
      if (!ok) throw new ExitSignal(1);
    });
}
