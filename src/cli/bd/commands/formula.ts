// bd formula list/show and bd cook: find formulas, show them, and print the resolved plan without touching the store.
import type { Command } from 'commander';
import { listFormulas, loadFormula, type Plan, type StepDef, type VarDef } from '../../../beads/index.ts';
import { collect, emit } from '../../shared/runtime.ts';
import type { BdCtx } from '../context.ts';
import { cookFromArgs, searchPath, shortPath } from './formula-support.ts';
import { registerMol } from './mol.ts';

const countSteps = (steps: readonly StepDef[]): number => steps.reduce((n, s) => n + 1 + countSteps(s.children), 0);

function varLine(v: VarDef): string {
  const flags = [v.required ? 'required' : v.default !== undefined ? `default "${v.default}"` : 'optional'];
  if (v.enum) flags.push(`one of: ${v.enum.join(', ')}`);
  if (v.pattern) flags.push(`pattern ${v.pattern}`);
  return `  ${v.name} (${flags.join('; ')})${v.description ? `: ${v.description}` : ''}`;
}

function stepLines(steps: readonly StepDef[], depth = 1): string[] {
  return steps.flatMap((s) => {
    const pad = '  '.repeat(depth);
    const extra = [s.needs.length ? `needs ${s.needs.join(', ')}` : '', s.condition ? `if ${s.condition}` : '']
      .filter(Boolean)
      .join('; ');
    return [
      `${pad}${s.id}: ${s.title}${extra ? `  (${extra})` : ''}`,
      ...(s.description ? s.description.split('\n').map((l) => `${pad}  ${l}`) : []),
      ...(s.run ? [`${pad}  $ ${s.run}`] : []),
      ...stepLines(s.children, depth + 1),
    ];
  });
}

/** The plan as text: numbered steps in the order they can be done. */
export function planText(plan: Plan, cwd: string): string {
  const vars = Object.entries(plan.vars)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const lines = [
    `${plan.formula} (version ${plan.version})${plan.description ? `: ${plan.description}` : ''}`,
    `File: ${shortPath(cwd, plan.path)}`,
    ...(vars ? [`Vars: ${vars}`] : []),
    '',
    `Steps in order (${plan.steps.length}):`,
  ];
  plan.steps.forEach((s, i) => {
    const pad = '  '.repeat(s.depth + 1);
    const extra = [s.needs.length ? `needs ${s.needs.join(', ')}` : '', s.parent ? `in ${s.parent}` : '']
      .filter(Boolean)
      .join('; ');
    lines.push(`${pad}${i + 1}. ${s.id}: ${s.title}${extra ? `  (${extra})` : ''}`);
    if (s.description) lines.push(...s.description.split('\n').map((l) => `${pad}   ${l}`));
    if (s.run) lines.push(`${pad}   $ ${s.run}`);
  });
  if (plan.skipped.length) lines.push('', `Skipped (condition false): ${plan.skipped.join(', ')}`);
  return lines.join('\n');
}

export function registerFormula(program: Command, ctx: BdCtx): void {
  const formula = program
    .command('formula')
    .description('workflow templates: .beads/formulas/*.formula.toml and ~/.beads/formulas');
  formula
    .command('list')
    .description(
      "formulas on the search path (in a town's rig: the rig repository's .beads/formulas first; the store's formulas/ folder, then ~/.beads/formulas)",
    )
    .action(() => {
      const entries = listFormulas(searchPath(ctx.io));
      const data = entries.map((e) => ({
        name: e.name,
        path: e.path,
        source: e.source,
        description: e.formula?.description ?? '',
        version: e.formula?.version ?? null,
        type: e.formula?.type ?? null,
        steps: e.formula ? countSteps(e.formula.steps) : 0,
        vars: e.formula?.vars.map((v) => v.name) ?? [],
        ...(e.error ? { error: e.error } : {}),
      }));
      const text = data.length
        ? data
            .map((d) =>
              d.error
                ? `${d.name}  INVALID: ${d.error}`
                : [
                    d.name,
                    `${d.steps} step${d.steps === 1 ? '' : 's'}`,
                    d.description,
                    `(${shortPath(ctx.io.cwd, d.path)})`,
                  ]
                    .filter(Boolean)
                    .join('  '),
            )
            .join('\n')
        : `No formulas found. Put <name>.formula.toml files in ${searchPath(ctx.io)
            .map((d) => shortPath(ctx.io.cwd, d.dir))
            .join(' or ')}.`;
      emit(ctx.io, ctx.json(), { data, text });
    });
  formula
    .command('show')
    .description('a formula as written: variables and steps, placeholders kept')
    .argument('<name>', 'formula name (or a path to a .formula.toml file)')
    .action((name: string) => {
      const f = loadFormula(searchPath(ctx.io), name, ctx.io.cwd);
      const text = [
        `${f.name} (version ${f.version}, ${f.type})${f.description ? `: ${f.description}` : ''}`,
        `File: ${shortPath(ctx.io.cwd, f.path)}`,
        ...(f.vars.length ? ['Variables:', ...f.vars.map(varLine)] : []),
        `Steps (${countSteps(f.steps)}):`,
        ...stepLines(f.steps),
      ].join('\n');
      emit(ctx.io, ctx.json(), { data: f, text });
    });

  program
    .command('cook')
    .description('check a formula with its variables and print the resolved steps in dependency order (writes nothing)')
    .argument('<formula>', 'formula name (or a path to a .formula.toml file)')
    .option('--var <name=value>', 'a variable value (repeatable)', collect)
    .action((ref: string, o: { var?: string[] }) => {
      const plan = cookFromArgs(ctx.io, ref, o.var);
      emit(ctx.io, ctx.json(), { data: plan, text: planText(plan, ctx.io.cwd) });
    });

  registerMol(program, ctx);
}
