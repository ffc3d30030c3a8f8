// bd export and bd import: the ledger format to a file or standard output, and back.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { GtError, messageOf, usageError, writeFileAtomic } from '../../../kernel/index.ts';
import { allDetails, importLedgerText, otherRecords, toLedgerLine } from '../../../beads/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { BdCtx } from '../context.ts';

export function registerTransfer(program: Command, ctx: BdCtx): void {
  program
    .command('export')
    .description('write every bead as JSONL (the ledger format) to standard output or a file')
    .option('-o, --output <path>', 'write to this file (atomically) instead of standard output')
    .action((o: { output?: string }) => {
      const db = ctx.store().db;
      const beads = allDetails(db).map(toLedgerLine);
      const lines = [...otherRecords(db), ...beads];
      const text = lines.length ? `${lines.join('\n')}\n` : '';
      if (o.output) {
        writeFileAtomic(resolve(ctx.io.cwd, o.output), text);
        emit(ctx.io, ctx.json(), {
          data: { path: resolve(ctx.io.cwd, o.output), count: beads.length },
          text: `Exported ${beads.length} beads to ${o.output}`,
        });
      } else ctx.io.out(text);
    });
  program
    .command('import')
    .description(
      'bring beads from a JSONL file into the store; a bead in the file replaces the stored one, others are kept',
    )
    .argument('[path]', 'JSONL file (- for standard input)')
    .option('-i, --input <path>', 'the JSONL file, as Go Beads spells it (bd import -i issues.jsonl)')
    .action((arg: string | undefined, o: { input?: string }) => {
      const path = o.input ?? arg;
      if (!path)
        throw usageError(
          'USAGE',
          'no file to import',
          'give one: bd import issues.jsonl, bd import -i issues.jsonl, or - for standard input',
        );
      if (o.input && arg)
        throw usageError('USAGE', `two files given (${arg} and -i ${o.input})`, 'give one file per import');
      let text: string | Buffer;
      try {
        text = path === '-' ? ctx.io.stdin() : readFileSync(resolve(ctx.io.cwd, path));
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
