// gt daemon start|stop|status|logs (and the hidden `run`, the daemon itself): the town's reconcile loop.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { safeText, usageError } from '../../../kernel/index.ts';
import {
  daemonFiles,
  daemonStatus,
  readDaemonLog,
  runDaemon,
  startDaemon,
  stopDaemon,
  type DaemonStatus,
} from '../../../daemon/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

export function registerDaemon(program: Command, ctx: GtCtx): void {
  const daemon = program
    .command('daemon')
    .description("the town's daemon: restarts dead agents, nudges stuck ones, lands merges, feeds convoys");

  daemon
    .command('start')
    .description('start the daemon in the background (does nothing if it runs)')
    .addHelpText('after', '\nExamples:\n  gt daemon start\n  gt daemon start --json')
    .action(async () => {
      const r = await startDaemon(ctx.town());
      emit(ctx.io, ctx.json(), {
        data: r,
        text:
          r.status === 'started'
            ? `Started the daemon (pid ${r.pid}); log: ${r.log}`
            : `The daemon is already running (pid ${r.pid})`,
      });
    });

  daemon
    .command('stop')
    .description('stop the daemon after its current tick (killed if it does not stop in time)')
    .addHelpText('after', '\nExample:\n  gt daemon stop')
    .action(async () => {
      const r = await stopDaemon(ctx.town());
      const text = r.stopped
        ? `Stopped the daemon (pid ${r.pid})${r.forced ? ' with SIGKILL: it did not stop in time' : ''}`
        : `The daemon was not running${r.stale_removed ? ' (removed the pid file it left behind)' : ''}`;
      emit(ctx.io, ctx.json(), { data: r, text });
    });

  daemon
    .command('status')
    .description('whether the daemon runs, since when, and its last tick')
    .addHelpText('after', '\nExample:\n  gt daemon status --json')
    .action(() => {
      const s = daemonStatus(ctx.town());
      emit(ctx.io, ctx.json(), { data: s, text: describeStatus(s) });
    });

  daemon
    .command('logs')
    .description("print the end of the daemon's log")
    .option('-n, --lines <n>', 'how many lines', '50')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .addHelpText('after', '\nExamples:\n  gt daemon logs\n  gt daemon logs -n 200 --follow')
    .action(async (o: { lines: string; follow?: boolean }) => {
      const n = Number(o.lines);
      if (!Number.isInteger(n) || n < 1 || n > 100_000)
        throw usageError('GT_BAD_LINES', `--lines must be a whole number from 1 to 100000, not "${o.lines}"`);
      const town = ctx.town();
      const lines = readDaemonLog(town, n);
      emit(ctx.io, ctx.json(), {
        data: { log: daemonFiles(town).log, lines },
        text: lines.length ? lines.join('\n') : '',
      });
      if (o.follow && !ctx.json()) await follow(daemonFiles(town).log, (t) => ctx.io.out(safeText(t)));
    });

  daemon
    .command('run', { hidden: true })
    .description('run the daemon in this terminal (gt daemon start runs this in the background)')
    .addHelpText('after', '\nExample:\n  gt daemon run')
    .action(async () => {
      const r = await runDaemon(ctx.town(), { log: (line) => ctx.io.out(`${line}\n`) });
      if (r.status === 'already-running') ctx.io.out(`The daemon is already running (pid ${r.pid})\n`);
    });
}

function describeStatus(s: DaemonStatus): string {
  if (!s.running)
    return `Daemon: not running${s.stale_pid_file ? ' (a stale pid file is left; gt daemon start replaces it)' : ''}. Start it: gt daemon start`;
  const beat = s.heartbeat_at
    ? `, last tick ${Math.round((Date.now() - Date.parse(s.heartbeat_at)) / 1000)} s ago`
    : '';
  return `Daemon: running (pid ${s.pid}) since ${s.started_at ?? '?'}, tick ${(s.tick_ms ?? 0) / 1000} s, ${s.ticks ?? 0} ticks${beat}\nLog: ${s.log}`;
}

/** Print what is appended to `path` until the process is interrupted. */
async function follow(path: string, out: (text: string) => void): Promise<never> {
  let offset = existsSync(path) ? statSync(path).size : 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const size = existsSync(path) ? statSync(path).size : 0;
    if (size < offset) offset = 0; // rotated or truncated
    if (size === offset) continue;
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(size - offset);
      readSync(fd, buf, 0, buf.length, offset);
      out(buf.toString('utf8'));
    } finally {
      closeSync(fd);
    }
    offset = size;
  }
}
