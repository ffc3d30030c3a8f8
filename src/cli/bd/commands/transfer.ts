// bd export and bd import: the ledger format to a file or standard output, and back.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { GtError, messageOf, writeFileAtomic } from '../../../kernel/index.ts';
import { allDetails, importLedgerText, toLedgerLine } from '../../../beads/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { BdCtx } from '../context.ts';

export function registerTransfer(program: Command, ctx: BdCtx): void {
  program
    .command('export')
    .description('write every bead as JSONL (the ledger format) to standard output or a file')
    .option('-o, --output <path>', 'write to this file (atomically) instead of standard output')
    .action((o: { output?: string }) => {
      const lines = allDetails(ctx.store().db).map(toLedgerLine);
      const text = lines.length ? `${lines.join('\n')}\n` : '';
      if (o.output) {
        writeFileAtomic(resolve(ctx.io.cwd, o.output), text);
        emit(ctx.io, ctx.json(), { data: { path: resolve(ctx.io.cwd, o.output), count: lines.length }, text: `Exported ${lines.length} beads to ${o.output}` });
      } else ctx.io.out(text);
    });
  program
    .command('import')
    .description('bring beads from a JSONL file into the store; a bead in the file replaces the stored one, others are kept')
    .argument('<path>', 'JSONL file (- for standard input)')
    .action((path: string) => {
      let text: string;
      try {
        text = path === '-' ? ctx.io.stdin() : readFileSync(resolve(ctx.io.cwd, path), 'utf8');
      } catch (e) {
        throw new GtError('BD_BAD_FILE', `cannot read ${path}: ${messageOf(e)}`);
      }
      const store = ctx.store();
      const r = store.write(() => importLedgerText(store, text));
      for (const p of r.problems) ctx.io.err(`Warning: ${path}:${p.line}: ${p.message}\n`);
      emit(ctx.io, ctx.json(), {
        data: r,
        text: `Imported: ${r.created} new, ${r.updated} updated, ${r.unchanged} unchanged${r.problems.length ? `, ${r.problems.length} line(s) skipped` : ''}`,
      });
    });
}
