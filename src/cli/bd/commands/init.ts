// bd init: create the store in the current directory (or complete a partial one).
import type { Command } from 'commander';
import { join } from 'node:path';
import { adoptGoBeads, initStore, isGoBeadsDir } from '../../../beads/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { BdCtx } from '../context.ts';
import { mergeDriverCommand } from '../self.ts';

export function registerInit(program: Command, ctx: BdCtx): void {
  program
    .command('init')
    .description('create a beads store (.beads/) here, with the git merge driver for its ledger')
    .option('--prefix <prefix>', 'id prefix, e.g. bd (default: from the directory name)')
    .action((o: { prefix?: string }) => {
      const dir = join(ctx.io.cwd, '.beads');
      if (isGoBeadsDir(dir)) {
        // Go Beads set this repository up: take its ledger over rather than open its database as ours.
        const a = adoptGoBeads(dir, { driverCommand: mergeDriverCommand() });
        for (const line of a.lines) ctx.io.err(`bd: ${line}\n`);
        emit(ctx.io, ctx.json(), {
          data: { dir, prefix: a.prefix, created: true, imported: a.beads, from: `go-beads-${a.era}` },
          text: `Created ${dir} from Go Beads' ledger: ${a.beads} beads imported (prefix ${a.prefix})`,
        });
        return;
      }
      const r = initStore(ctx.io.cwd, {
        ...(o.prefix ? { prefix: o.prefix } : {}),
        driverCommand: mergeDriverCommand(),
      });
      emit(ctx.io, ctx.json(), {
        data: r,
        text: `${r.created ? 'Created' : 'Already set up:'} ${r.dir} (prefix ${r.prefix})${r.mergeDriver ? '\nRegistered the git merge driver for .beads/issues.jsonl' : ''}`,
      });
    });
}
