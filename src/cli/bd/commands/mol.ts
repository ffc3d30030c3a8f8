// bd mol: pour a formula into beads (or a wisp), list and show molecules, squash or burn them, and run their steps.
import type { Command } from 'commander';
import {
  burnMolecule,
  listMolecules,
  moleculeSteps,
  pourPlan,
  requireMolecule,
  squashMolecule,
  summarize,
  type MolStep,
  type MoleculeSummary,
  type PourResult,
} from '../../../beads/index.ts';
import { collect, emit } from '../../shared/runtime.ts';
import type { BdCtx } from '../context.ts';
import { safeLine } from '../../../kernel/index.ts';
import { issueJson } from '../json.ts';
import { cookFromArgs } from './formula-support.ts';
import { registerMolRun } from './mol-run.ts';

const MARK: Record<MolStep['state'], string> = { done: '✓', ready: '○', blocked: '⊘', in_progress: '◐' };

function origin(m: MoleculeSummary): string {
  const vars = Object.entries(m.vars)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return [m.formula, vars].filter(Boolean).join(', ');
}

function summaryLine(m: MoleculeSummary): string {
  const where = origin(m);
  return `${m.status === 'closed' ? '✓' : '○'} ${m.id}  ${m.done}/${m.total} done  ${safeLine(m.title)}${where ? `  [${where}]` : ''}${m.ephemeral ? '  (wisp)' : ''}`;
}

/** One line per step: mark, id, title, state and what it waits for. */
export function stepLine(s: MolStep): string {
  const waiting = s.state === 'blocked' && s.needs.length ? ` (needs ${s.needs.join(', ')})` : '';
  const who = s.assignee ? `  @${s.assignee}` : '';
  return `${'  '.repeat(s.depth + 1)}${MARK[s.state]} ${s.id}  ${safeLine(s.title)}  ${s.state.replace('_', ' ')}${waiting}${who}${s.run ? `  $ ${safeLine(s.run)}` : ''}`;
}

function pourText(r: PourResult, kind: 'molecule' | 'wisp'): string {
  const lines = [
    `Poured ${kind} ${r.molecule.id}: ${safeLine(r.molecule.title)} (${r.steps.length} step${r.steps.length === 1 ? '' : 's'})`,
  ];
  const depth = new Map<string, number>([[r.molecule.id, -1]]);
  for (const s of r.steps) {
    depth.set(s.id, depth.get(s.parent)! + 1);
    lines.push(
      `${'  '.repeat(depth.get(s.id)! + 1)}${s.id}  ${safeLine(s.title)}${s.needs.length ? `  (needs ${s.needs.join(', ')})` : ''}`,
    );
  }
  return lines.join('\n');
}

export function registerMol(program: Command, ctx: BdCtx): void {
  const mol = program.command('mol').description('molecules: formulas poured into beads, one child bead per step');

  for (const kind of ['pour', 'wisp'] as const) {
    mol
      .command(kind)
      .description(
        kind === 'pour'
          ? 'create a molecule from a formula: a molecule bead with one child per step, `needs` as blocks edges'
          : 'like pour, but every bead is ephemeral: local only, never written to the ledger',
      )
      .argument('<formula>', 'formula name (or a path to a .formula.toml file)')
      .option('--var <name=value>', 'a variable value (repeatable)', collect)
      .action((ref: string, o: { var?: string[] }) => {
        const plan = cookFromArgs(ctx.io, ref, o.var);
        const r = pourPlan(ctx.store(), plan, { ephemeral: kind === 'wisp' });
        emit(ctx.io, ctx.json(), {
          data: { ...r, molecule: issueJson(r.molecule) },
          text: pourText(r, kind === 'wisp' ? 'wisp' : 'molecule'),
        });
      });
  }

  mol
    .command('list')
    .description('molecules with their progress (open ones; --all for closed too)')
    .option('--all', 'include closed (squashed) molecules')
    .action((o: { all?: boolean }) => {
      const mols = listMolecules(ctx.store(), { all: o.all });
      emit(ctx.io, ctx.json(), {
        data: mols,
        text: mols.length ? mols.map(summaryLine).join('\n') : 'No molecules. Pour one with `bd mol pour <formula>`.',
      });
    });

  mol
    .command('show')
    .description('a molecule and its steps in dependency order, each done, ready, in progress or blocked')
    .argument('<id>', 'molecule id')
    .action((raw: string) => {
      const store = ctx.store();
      const m = requireMolecule(store, raw);
      const steps = moleculeSteps(store, m.id);
      const data = { ...summarize(store, m), steps };
      emit(ctx.io, ctx.json(), { data, text: [summaryLine(data), ...steps.map(stepLine)].join('\n') });
    });

  mol
    .command('squash')
    .description(
      'close a molecule into one closed digest bead summarising its steps (open steps are closed; a wisp is deleted)',
    )
    .argument('<id>', 'molecule id')
    .option('--summary <text>', 'what happened, in your words (put first in the digest)')
    .action((raw: string, o: { summary?: string }) => {
      const r = squashMolecule(ctx.store(), raw, { summary: o.summary });
      const how = r.deleted.length
        ? `wisp deleted (${r.deleted.length} beads)`
        : `${r.closed.length} open step${r.closed.length === 1 ? '' : 's'} closed`;
      emit(ctx.io, ctx.json(), {
        data: { ...r, digest: issueJson(r.digest) },
        text: `Squashed ${r.molecule} into digest ${r.digest.id}: ${how}`,
      });
    });

  mol
    .command('burn')
    .description('delete a molecule and all its steps, leaving no digest')
    .argument('<id>', 'molecule id')
    .action((raw: string) => {
      const r = burnMolecule(ctx.store(), raw);
      emit(ctx.io, ctx.json(), {
        data: r,
        text: `Burned ${r.deleted[r.deleted.length - 1]}: ${r.deleted.length} bead${r.deleted.length === 1 ? '' : 's'} deleted`,
      });
    });

  registerMolRun(mol, ctx);
}
