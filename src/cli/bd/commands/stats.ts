// bd stats: counts by status, type and priority, and how much is ready or blocked.
import type { Command } from 'commander';
import { beadStats } from '../../../beads/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { BdCtx } from '../context.ts';
import { statsJson } from '../json.ts';

export function registerStats(program: Command, ctx: BdCtx): void {
  program
    .command('stats')
    .alias('status')
    .description('counts by status, type and priority')
    .action(() => {
      const s = beadStats(ctx.store());
      const fmt = (r: Record<string, number>, pre = ''): string =>
        Object.entries(r)
          .map(([k, v]) => `${pre}${k}: ${v}`)
          .join('  ');
      emit(ctx.io, ctx.json(), {
        data: statsJson(s),
        text: [
          `Total: ${s.total}   Ready: ${s.ready}   Blocked: ${s.blocked}`,
          `Status:   ${fmt(s.by_status)}`,
          `Type:     ${fmt(s.by_type)}`,
          `Priority: ${fmt(s.by_priority, 'P')}`,
        ].join('\n'),
      });
    });
}
