// gt dashboard: serve the web dashboard for this town until Ctrl-C. Every route but the static page needs the town's
// token (0600 file in .runtime/): the printed URL carries it, and --open hands it to the browser through a 0600 file,
// never on a command line (which every local user can read in /proc).
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { GtError, messageOf, usageError, writeFileAtomic } from '../../../kernel/index.ts';
import { spawnDetached } from '../../../proc/index.ts';
import type { RunningDashboard } from '../../../dashboard/index.ts';
import type { GtCtx } from '../context.ts';
import { forgetDashboard, recordDashboard } from './dashboard-file.ts';

export function registerDashboard(program: Command, ctx: GtCtx): void {
  program
    .command('dashboard')
    .description('serve the web dashboard: agents, convoys, hooks, merge queues, mail, costs and configuration, live')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', '8080')
    .option('-b, --bind <address>', 'address to listen on (the token is needed on any address)', '127.0.0.1')
    .option('--open', 'open the page in a browser (xdg-open or open, best effort)')
    .addHelpText(
      'after',
      '\nExamples:\n  gt dashboard\n  gt dashboard --port 9090 --open\n  gt dashboard --bind 0.0.0.0',
    )
    .action(async (o: { port: string; bind: string; open?: boolean }) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535)
        throw usageError('GT_BAD_PORT', `--port must be a whole number from 0 to 65535, not "${o.port}"`);
      let running: RunningDashboard;
      // Loaded here, not at the top: the web server's modules cost every other gt command ~40 ms to load.
      const { serveDashboard } = await import('../../../dashboard/server/serve.ts');
      try {
        running = await serveDashboard(ctx.town(), {
          port,
          bind: o.bind,
          onError: (m) => ctx.io.err(`dashboard: ${m}\n`),
        });
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'EADDRINUSE')
          throw new GtError('GT_PORT_IN_USE', `port ${port} on ${o.bind} is in use`, {
            hint: 'pick another with --port, e.g. gt dashboard --port 8081',
          });
        if (code === 'EADDRNOTAVAIL')
          throw usageError(
            'GT_BAD_BIND',
            `${o.bind} is not an address of this machine`,
            "use 127.0.0.1, 0.0.0.0 or one of the machine's addresses",
          );
        throw e;
      }
      const url = running.openUrl;
      recordDashboard(ctx.town(), running.port, running.bind);
      if (running.token.replaced)
        ctx.io.err(
          `dashboard: made a new token: the old ${running.token.path} could not be trusted (${running.token.replaced})\n`,
        );
      if (ctx.json()) {
        ctx.io.out(
          `${JSON.stringify({ url, port: running.port, bind: running.bind, token_file: running.token.path })}\n`,
        );
      } else {
        ctx.io.out(`Dashboard: ${url}\n`);
        ctx.io.out(
          `The address signs your browser in; keep it to yourself. The token is in ${running.token.path} (only you can read it).\n`,
        );
        ctx.io.out('Ctrl-C to stop.\n');
      }
      if (o.open) openBrowser(ctx.town().paths.runtime, url, (m) => ctx.io.err(`${m}\n`));
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      forgetDashboard(ctx.town());
      await running.close();
    });
}

/**
 * Open the page signed in, without putting the token on a command line: the browser is given a file only the owner
 * can read (as Jupyter does), which sends it on to the token URL.
 */
function openBrowser(runtimeDir: string, url: string, warn: (m: string) => void): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  let fd: number | undefined;
  try {
    const file = join(runtimeDir, 'dashboard-open.html');
    const attr = url.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    writeFileAtomic(
      file,
      `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${attr}"><title>Gas Town</title><p><a href="${attr}">Open the dashboard</a></p>\n`,
      { mode: 0o600 },
    );
    fd = openSync('/dev/null', 'w');
    spawnDetached(cmd, [pathToFileURL(file).href], { logFd: fd });
  } catch (e) {
    warn(`could not open a browser (${messageOf(e)}); open ${url} yourself`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
