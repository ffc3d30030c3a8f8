// gt demo: a whole town on the embedded example with simulated agents, from six beads to six changes on main.
import type { Command } from 'commander';
import { runDemo, type DemoReport } from '../../../demo/index.ts';
import { emit, ExitSignal } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

export function registerDemo(program: Command, ctx: GtCtx): void {
  program
    .command('demo')
    .description('run a whole town on an embedded example with simulated agents (no API key): six beads land on main')
    .option('--dir <path>', 'build it here (a new or empty directory) instead of a temporary one')
    .option('--keep', 'keep the town on disk afterwards, to look around')
    .addHelpText('after', '\nExamples:\n  gt demo\n  gt demo --dir ./demo --keep')
    .action(async (o: { dir?: string; keep?: boolean }) => {
      const json = ctx.json();
      // Ctrl-C, a hang-up or a reader that went away (gt demo | head) must not leave the daemon and agents running:
      // the demo stops watching, and its own clean-up stops them and removes the town.
      const interrupted = new AbortController();
      const stop = (): void => interrupted.abort();
      const pipeGone = (e: NodeJS.ErrnoException): void => {
        if (e.code === 'EPIPE') stop();
      };
      const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
      for (const s of signals) process.on(s, stop);
      process.stdout.on('error', pipeGone);
      try {
        const report = await runDemo({
          ...(o.dir !== undefined ? { dir: o.dir } : {}),
          keep: o.keep === true,
          env: ctx.io.env,
          onProgress: json
            ? undefined
            : (line) => {
                if (!interrupted.signal.aborted) ctx.io.out(`${line}\n`);
              },
          signal: interrupted.signal,
        });
        emit(ctx.io, json, { data: report, text: summary(report) });
        if (!report.landed) throw new ExitSignal(1);
      } finally {
        for (const s of signals) process.off(s, stop);
        process.stdout.off('error', pipeGone);
      }
    });
}

function summary(r: DemoReport): string {
  const secs = (r.elapsed_ms / 1000).toFixed(0);
  if (!r.landed)
    return `The convoy ${r.convoy} did not land completely (missing on main: ${r.missing_files.join(', ') || 'none'}) after ${secs} s.`;
  const place = r.delivered
    ? `${r.delivered.ref} of the sample project ${r.project}`
    : `main of the rig's repository ${r.town}/${r.rig}/.repo.git`;
  const lines = [
    '',
    `Landed: all ${r.beads.length} beads of convoy ${r.convoy} are merged, in dependency order, in ${secs} s.`,
    `${place} now reads (newest first):`,
    ...r.main_log.slice(0, 12).map((s) => `  ${s}`),
  ];
  if (r.kept) {
    lines.push(
      '',
      `The town is kept at ${r.town}. Look around:`,
      `  cd "${r.town}"`,
      '  gt status',
      `  gt convoy show ${r.convoy}`,
      `  git -C "${r.project}" log --oneline ${r.delivered?.ref ?? 'main'}`,
    );
  } else {
    lines.push('', 'Run `gt demo --dir <path> --keep` to keep the town and look around with gt status.');
  }
  lines.push(
    '',
    r.kept
      ? `The work is in ${r.project} on ${r.delivered?.ref ?? '(not delivered: see gt status)'}${r.delivered?.note ? ` (${r.delivered.note})` : ''}.`
      : `The work was in ${r.project} on ${r.delivered?.ref ?? 'main'}; the demo removed it with its town (keep both with --keep).`,
  );
  return lines.join('\n');
}
