// gt doctor [--fix]: health checks of the tools, the agent CLIs and the town, and the safe repairs.
import type { Command } from 'commander';
import { runTownDoctor, summarize, type DoctorCheck, type DoctorReport } from '../../../town/doctor/index.ts';
import { loadTown } from '../../../town/index.ts';
import { howItEnded, lastWords, listLastExits } from '../../../work/sessions/index.ts';
import { emit, ExitSignal } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';
import { withK8sChecks } from './doctor-k8s.ts';

export function registerDoctor(program: Command, ctx: GtCtx): void {
  program
    .command('doctor')
    .description(
      'check tool versions, agent CLIs and the town (config files, directories, store, locks, sessions, worktrees)',
    )
    .option(
      '--fix',
      'repair what is safe: create missing directories, remove dead locks, prune vanished worktrees, stop orphaned sessions',
    )
    .addHelpText(
      'after',
      '\nExit status: 0 when no errors remain (warnings allowed), 1 otherwise. Config files are never rewritten.\n\nExamples:\n  gt doctor\n  gt doctor --fix --json',
    )
    .action(async (o: { fix?: boolean }) => {
      const report = await withK8sChecks(
        withStartFailures(await runTownDoctor({ cwd: ctx.io.cwd, env: ctx.io.env, fix: Boolean(o.fix) }), ctx),
        ctx.io.env,
      );
      emit(ctx.io, ctx.json(), { data: report, text: renderReport(report, Boolean(o.fix)) });
      if (!report.ok) throw new ExitSignal(1);
    });
}

/**
 * A runtime on PATH is not a runtime that starts: an agent that exited during its last start (not logged in, a
 * flag it refuses) is a warning, with its own words.
 */
function withStartFailures(report: DoctorReport, ctx: GtCtx): DoctorReport {
  if (!report.root) return report;
  let exits;
  try {
    exits = listLastExits(loadTown(report.root, ctx.io.env));
  } catch {
    return report;
  }
  if (exits.length === 0) return report;
  const checks: DoctorCheck[] = exits.map((e) => {
    const words = lastWords(e.lines);
    return {
      id: `agent.${e.address}.start`,
      status: 'warn',
      detail: `${e.address}: ${e.runtime} ${howItEnded(e)} during start-up at ${e.at}${words ? `: ${JSON.stringify(words)}` : ''}`,
      hint: `gt peek ${e.address} shows its last screen; fix what it says (log in, change the agent's command), then start it again`,
    };
  });
  return summarize(report.root, [...report.checks, ...checks]);
}

const MARK: Record<DoctorCheck['status'], string> = { ok: 'ok   ', warn: 'warn ', error: 'ERROR' };
const mark = (c: DoctorCheck): string => (c.fixed !== undefined && c.status === 'ok' ? 'fixed' : MARK[c.status]);

function renderCheck(c: DoctorCheck): string {
  const lines = [`${mark(c)} ${c.id}: ${c.detail}`];
  if (c.fixed) lines.push(`      fixed: ${c.fixed}`);
  if (c.fix) lines.push(`      --fix would: ${c.fix}`);
  if (c.hint) lines.push(`      hint: ${c.hint}`);
  return lines.join('\n');
}

function renderReport(r: DoctorReport, fix: boolean): string {
  const head = r.root ? `Town at ${r.root}` : 'Not in a town';
  const fixable = r.checks.filter((c) => c.fix).length;
  const tail = [
    `${r.errors} error(s), ${r.warnings} warning(s)${r.fixed ? `, ${r.fixed} repaired` : ''}`,
    ...(!fix && fixable ? [`Run gt doctor --fix to apply the ${fixable} safe repair(s) listed above.`] : []),
  ];
  return [head, ...r.checks.map(renderCheck), '', ...tail].join('\n');
}
