// bd mol run: execute a molecule's `run` steps in order here, reporting each; exits 1 when a step fails.
import type { Command } from 'commander';
import { usageError } from '../../../kernel/index.ts';
import { runMolecule, type RunReport } from '../../../beads/index.ts';
import { emit, ExitSignal } from '../../shared/runtime.ts';
import type { BdCtx } from '../context.ts';

/** The last lines of a command's output, indented, for the terminal (the whole tail is in the comment). */
function lastLines(output: string, n = 30): string {
  const lines = output.trimEnd().split('\n');
  return lines
    .slice(-n)
    .map((l) => `    ${l}`)
    .join('\n');
}

/** What the run ended with, as one or two sentences a person or an agent can act on. */
export function runMessage(r: RunReport): string {
  switch (r.outcome) {
    case 'done':
      return `All steps of ${r.molecule} are done. Record it with \`bd mol squash ${r.molecule}\`.`;
    case 'failed':
      return `Step ${r.step.id} "${r.step.title}" failed (${r.exit_code < 0 ? 'did not finish' : `exit ${r.exit_code}`}); it stays open and its output is saved as a comment on it. Fix the cause, then run \`bd mol run ${r.molecule}\` again.`;
    case 'needs-person':
      return `Stopped at step ${r.step.id} "${r.step.title}": it has no run command, so it needs a person or an agent. Close it when it is done (\`bd close ${r.step.id}\`), then run \`bd mol run ${r.molecule}\` again.`;
    case 'in-progress':
      return `Stopped at step ${r.step.id} "${r.step.title}": it is in progress${r.step.assignee ? ` (held by ${r.step.assignee})` : ''}. Run \`bd mol run ${r.molecule}\` again once it is closed.`;
    case 'blocked':
      return `No step of ${r.molecule} can start: ${r.steps.map((s) => s.id).join(', ') || 'its steps'} wait for beads outside the molecule (see \`bd blocked\`).`;
  }
}

export function registerMolRun(mol: Command, ctx: BdCtx): void {
  mol
    .command('run')
    .description(
      'run the steps that have a `run` command, in dependency order, in the current directory; exit 0 closes a step, a failure stops (exit 1)',
    )
    .argument('<id>', 'molecule id')
    .option('--timeout <seconds>', 'longest a single step may take (default 1800)')
    .action((raw: string, o: { timeout?: string }) => {
      let timeoutMs = 1800_000;
      if (o.timeout !== undefined) {
        const s = Number(o.timeout);
        if (!Number.isFinite(s) || s <= 0)
          throw usageError(
            'BD_BAD_TIMEOUT',
            `invalid --timeout "${o.timeout}"`,
            'give a number of seconds, e.g. --timeout 600',
          );
        timeoutMs = Math.round(s * 1000);
      }
      const json = ctx.json();
      const report = runMolecule(ctx.store(), raw, {
        cwd: ctx.io.cwd,
        env: ctx.io.env,
        timeoutMs,
        onStep: json
          ? undefined
          : (e) => {
              if (e.phase === 'start') ctx.io.out(`▶ ${e.step.id} ${e.step.title}: $ ${e.step.run}\n`);
              else if (e.phase === 'group-done') ctx.io.out(`✓ ${e.step.id} ${e.step.title}: all its steps are done\n`);
              else if (e.run.exit_code === 0) ctx.io.out(`✓ ${e.step.id} done\n`);
              else
                ctx.io.out(
                  `✗ ${e.step.id} ${e.run.exit_code < 0 ? 'did not finish' : `exited ${e.run.exit_code}`}\n${e.run.output.trim() ? `${lastLines(e.run.output)}\n` : ''}`,
                );
            },
      });
      emit(ctx.io, json, { data: { ...report, message: runMessage(report) }, text: runMessage(report) });
      if (report.outcome === 'failed') throw new ExitSignal(1);
    });
}
