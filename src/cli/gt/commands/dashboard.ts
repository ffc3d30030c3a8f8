// gt dashboard: serve the web dashboard for this town until Ctrl-C (loopback by default; a token elsewhere).
import { closeSync, openSync } from 'node:fs';
import type { Command } from 'commander';
import { GtError, messageOf, usageError } from '../../../kernel/index.ts';
import { spawnDetached } from '../../../proc/index.ts';
import type { RunningDashboard } from '../../../dashboard/index.ts';
import type { GtCtx } from '../context.ts';

export function registerDashboard(program: Command, ctx: GtCtx): void {
  program
    .command('dashboard')
    .description('serve the web dashboard: agents, convoys, hooks, merge queues, mail, costs and configuration, live')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', '8080')
    .option('-b, --bind <address>', 'address to listen on; anything but loopback needs the token it prints', '127.0.0.1')
    .option('--open', 'open the page in a browser (xdg-open or open, best effort)')
    .addHelpText('after', '\nExamples:\n  gt dashboard\n  gt dashboard --port 9090 --open\n  gt dashboard --bind 0.0.0.0')
    .action(async (o: { port: string; bind: string; open?: boolean }) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw usageError('GT_BAD_PORT', `--port must be a whole number from 0 to 65535, not "${o.port}"`);
      let running: RunningDashboard;
      // Loaded here, not at the top: the web server's modules cost every other gt command ~40 ms to load.
      const { serveDashboard } = await import('../../../dashboard/server/serve.ts');
      try {
        running = await serveDashboard(ctx.town(), { port, bind: o.bind, onError: (m) => ctx.io.err(`dashboard: ${m}\n`) });
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'EADDRINUSE') throw new GtError('GT_PORT_IN_USE', `port ${port} on ${o.bind} is in use`, { hint: 'pick another with --port, e.g. gt dashboard --port 8081' });
        if (code === 'EADDRNOTAVAIL') throw usageError('GT_BAD_BIND', `${o.bind} is not an address of this machine`, 'use 127.0.0.1, 0.0.0.0 or one of the machine\'s addresses');
        throw e;
      }
      const url = running.token?.created ? `${running.url}?token=${running.token.value}` : running.url;
      if (ctx.json()) {
        ctx.io.out(`${JSON.stringify({ url, port: running.port, bind: running.bind, token_file: running.token?.path ?? null })}\n`);
      } else {
        ctx.io.out(`Dashboard: ${url}\n`);
        if (running.token?.created) ctx.io.out(`The token is shown once; it is kept in ${running.token.path}.\n`);
        else if (running.token) ctx.io.out(`Off loopback: open it with ?token=<the token in ${running.token.path}>.\n`);
        ctx.io.out('Ctrl-C to stop.\n');
      }
      if (o.open) openBrowser(url, (m) => ctx.io.err(`${m}\n`));
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await running.close();
    });
}

function openBrowser(url: string, warn: (m: string) => void): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  let fd: number | undefined;
  try {
    fd = openSync('/dev/null', 'w');
    spawnDetached(cmd, [url], { logFd: fd });
  } catch (e) {
    warn(`could not open a browser (${messageOf(e)}); open ${url} yourself`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
