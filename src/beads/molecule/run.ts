// `bd mol run`: execute the steps that carry a shell command, in dependency order, until one fails or needs a person.
import { isGtError } from '../../kernel/index.ts';
import { runSync, type RunResult } from '../../proc/index.ts';
import type { Store } from '../store.ts';
import { closeBeads } from '../update.ts';
import { insertComment } from '../comments.ts';
import { moleculeSteps, requireMolecule, type MolStep } from './read.ts';

/** Runs one shell command; a port so tests and callers can swap the shell. */
export type Shell = (command: string, opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }) => RunResult;

export const systemShell: Shell = (command, opts) => runSync('sh', ['-c', command], opts);

export interface StepRun {
  id: string;
  title: string;
  command: string;
  exit_code: number;
  output: string;
}

export type RunOutcome =
  | { outcome: 'done' }
  | { outcome: 'failed'; step: MolStep; exit_code: number }
  | { outcome: 'needs-person'; step: MolStep }
  | { outcome: 'in-progress'; step: MolStep }
  | { outcome: 'blocked'; steps: MolStep[] };

export type RunReport = RunOutcome & { molecule: string; ran: StepRun[] };

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
  shell?: Shell;
  /** Told before and after each command, so a caller can show progress. */
  onStep?: (
    e:
      | { phase: 'start'; step: MolStep }
      | { phase: 'end'; step: MolStep; run: StepRun }
      | { phase: 'group-done'; step: MolStep },
  ) => void;
}

/** Keep the end of long output: that is where the error usually is. */
const MAX_OUTPUT = 60_000;
const tail = (s: string): string =>
  s.length > MAX_OUTPUT ? `…(${s.length - MAX_OUTPUT} characters cut)\n${s.slice(-MAX_OUTPUT)}` : s;

/** The next step to act on: the first unfinished step in order that is not blocked and has no unfinished child. */
function nextStep(steps: readonly MolStep[]): MolStep | undefined {
  const openChildren = new Set(steps.filter((s) => s.state !== 'done').map((s) => s.parent));
  return steps.find((s) => (s.state === 'ready' || s.state === 'in_progress') && !openChildren.has(s.id));
}

function execute(step: MolStep, command: string, opts: RunOptions, molId: string): StepRun {
  const env = { ...opts.env, BD_MOLECULE: molId, BD_STEP: step.id };
  try {
    const r = (opts.shell ?? systemShell)(command, { cwd: opts.cwd, env, timeoutMs: opts.timeoutMs ?? 30 * 60_000 });
    return { id: step.id, title: step.title, command, exit_code: r.status, output: tail(`${r.stdout}${r.stderr}`) };
  } catch (e) {
    if (!isGtError(e)) throw e;
    return { id: step.id, title: step.title, command, exit_code: -1, output: e.message };
  }
}

/**
 * Run the molecule's steps. Each command runs outside any transaction; exit 0 closes its step, anything else leaves
 * the step open with the output as a comment and stops. A step without a command stops the run (it needs a person
 * or an agent), except a step whose children are all done and that has no command of its own: it is closed.
 */
export function runMolecule(store: Store, raw: string, opts: RunOptions): RunReport {
  const mol = requireMolecule(store, raw);
  const ran: StepRun[] = [];
  for (;;) {
    const steps = moleculeSteps(store, mol.id);
    if (steps.every((s) => s.state === 'done')) return { outcome: 'done', molecule: mol.id, ran };
    const step = nextStep(steps);
    if (!step) return { outcome: 'blocked', steps: steps.filter((s) => s.state === 'blocked'), molecule: mol.id, ran };
    if (step.state === 'in_progress') return { outcome: 'in-progress', step, molecule: mol.id, ran };
    if (!step.run) {
      if (steps.some((s) => s.parent === step.id)) {
        closeBeads(store, [step.id], 'bd mol run: all its steps are done');
        opts.onStep?.({ phase: 'group-done', step });
        continue;
      }
      return { outcome: 'needs-person', step, molecule: mol.id, ran };
    }
    opts.onStep?.({ phase: 'start', step });
    const run = execute(step, step.run, opts, mol.id);
    ran.push(run);
    opts.onStep?.({ phase: 'end', step, run });
    if (run.exit_code !== 0) {
      const what = run.exit_code < 0 ? 'could not finish' : `exited ${run.exit_code}`;
      store.write(() =>
        insertComment(store, step.id, `bd mol run: \`${step.run}\` ${what}\n\n${run.output.trim() || '(no output)'}`),
      );
      return { outcome: 'failed', step, exit_code: run.exit_code, molecule: mol.id, ran };
    }
    closeBeads(store, [step.id], `bd mol run: \`${step.run}\` exited 0`);
  }
}
