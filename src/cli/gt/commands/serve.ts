// gt serve: the town API for agents elsewhere (docs/town-api.md): gt and bd commands run as each caller's token says,
// and the rigs' repositories over git smart HTTP. Loopback by default; every route needs a token.
import type { Command } from 'commander';
import { GtError, usageError } from '../../../kernel/index.ts';
import type { GtCtx } from '../context.ts';

export function registerServe(program: Command, ctx: GtCtx): void {
  program
    .command('serve')
    .description('serve the town API and git over HTTP for agents on other machines (each with its own token)')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', '7717')
    .option('-b, --bind <address>', 'address to listen on (a token is needed on any address)', '127.0.0.1')
    .addHelpText(
      'after',
      '\nExamples:\n  gt serve\n  gt serve --port 0 --json\n\nAgents reach it with GT_TOWN_URL=<address> and GT_TOWN_TOKEN_FILE=<file from gt token issue>.',
    )
    .action(async (o: { port: string; bind: string }) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535)
        throw usageError('GT_BAD_PORT', `--port must be a whole number from 0 to 65535, not "${o.port}"`);
      const town = ctx.town();
      // Loaded here, not at the top: the web server's modules would cost every other gt command their load time.
      const [{ serveTownApi }, { loadOrCreateToken }, { runGt }, { runBd }] = await Promise.all([
        import('../../../server/index.ts'),
        import('../../../dashboard/server/security.ts'),
        import('../main.ts'),
        import('../../bd/main.ts'),
      ]);
      const owner = loadOrCreateToken(town);
      let running: Awaited<ReturnType<typeof serveTownApi>>;
      try {
        running = await serveTownApi(town, {
          port,
          bind: o.bind,
          clis: { gt: runGt, bd: runBd },
          onError: (m) => ctx.io.err(`serve: ${m}\n`),
        });
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'EADDRINUSE')
          throw new GtError('GT_PORT_IN_USE', `port ${port} on ${o.bind} is in use`, {
            hint: 'pick another with --port, e.g. gt serve --port 0',
          });
        if (code === 'EADDRNOTAVAIL')
          throw usageError(
            'GT_BAD_BIND',
            `${o.bind} is not an address of this machine`,
            "use 127.0.0.1 (and an ssh -R tunnel), or one of the machine's addresses",
          );
        throw e;
      }
      if (ctx.json())
        ctx.io.out(
          `${JSON.stringify({ url: running.url, port: running.port, bind: running.bind, owner_token_file: owner.path })}\n`,
        );
      else
        ctx.io.out(
          `Town API: ${running.url}\nGit: ${running.url}/git/<rig>.git\nAgents need a token: gt token issue <address>. Your own is in ${owner.path}.\nCtrl-C to stop.\n`,
        );
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
