// bd merge-driver: git's merge driver for the ledger; works on three files only and never opens a store.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { GtError, messageOf, writeFileAtomic } from '../../../kernel/index.ts';
import { mergeLedgers } from '../../../beads/merge.ts';
import { emit } from '../../shared/runtime.ts';
import type { BdCtx } from '../context.ts';

const MAX_LISTED = 20;

export function registerMergeDriverCommand(program: Command, ctx: BdCtx): void {
  program
    .command('merge-driver')
    .description(
      'git merge driver for .beads/issues.jsonl: merges bead by bead and field by field, writes the result to <ours>',
    )
    .argument('<base>', 'the common ancestor (git: %O)')
    .argument('<ours>', 'our version; receives the result (git: %A)')
    .argument('<theirs>', 'their version (git: %B)')
    .action((base: string, ours: string, theirs: string) => {
      const paths = {
        base: resolve(ctx.io.cwd, base),
        ours: resolve(ctx.io.cwd, ours),
        theirs: resolve(ctx.io.cwd, theirs),
      };
      const read = (side: keyof typeof paths): string => {
        try {
          return readFileSync(paths[side], 'utf8');
        } catch (e) {
          throw new GtError(
            'BD_MERGE_UNREADABLE',
            `cannot read the ${side} version of the ledger (${paths[side]}): ${messageOf(e)}`,
            {
              hint: 'git leaves the ledger conflicted; resolve it by hand, then run `bd doctor`',
            },
          );
        }
      };
      const r = mergeLedgers(read('base'), read('ours'), read('theirs'));
      if (r.conflicts.length) {
        const listed = r.conflicts
          .slice(0, MAX_LISTED)
          .map((c) => `\n  ${c.side} line ${c.line}: ${c.message}`)
          .join('');
        const more = r.conflicts.length > MAX_LISTED ? `\n  … and ${r.conflicts.length - MAX_LISTED} more` : '';
        throw new GtError(
          'BD_MERGE_CONFLICT',
          `cannot merge the ledger: ${r.conflicts.length} line(s) are not beads:${listed}${more}`,
          {
            hint: 'git leaves the ledger conflicted with our version in place; fix or remove those lines, `git add` the file, then run `bd doctor`',
            details: r.conflicts,
          },
        );
      }
      writeFileAtomic(paths.ours, r.text);
      for (const n of r.notes) ctx.io.err(`bd merge-driver: ${n}\n`);
      const count = r.text ? r.text.split('\n').length - 1 : 0;
      emit(ctx.io, ctx.json(), { data: { path: paths.ours, beads: count, notes: r.notes }, text: '' });
    });
}
