// Serving the dashboard on a socket with @hono/node-server: loopback by default; the town's token on every address.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { TownContext } from '../../town/index.ts';
import { createDashboard, type AppOptions } from './app.ts';
import { loadOrCreateToken, type TownToken } from './security.ts';

export interface ServeOptions extends Omit<AppOptions, 'bind' | 'token'> {
  /** Default 8080; 0 picks a free port. */
  port?: number;
  bind?: string;
}

export interface RunningDashboard {
  /** The page's address, without the token (it loads the page, which then asks to be signed in). */
  url: string;
  /** The address that signs the owner's browser in: `url?token=<token>`. Only ever give it to the owner. */
  openUrl: string;
  port: number;
  bind: string;
  /** The token, its file (0600), and whether it was made now (first start, or the old file was unsafe). */
  token: { value: string; path: string; created: boolean; replaced?: string };
  close(): Promise<void>;
}

export async function serveDashboard(town: TownContext, opts: ServeOptions = {}): Promise<RunningDashboard> {
  const bind = opts.bind ?? '127.0.0.1';
  const token: TownToken = loadOrCreateToken(town);
  const dash = createDashboard(town, { ...opts, bind, token: token.token });
  let server: ReturnType<typeof serve>;
  let info: AddressInfo;
  try {
    ({ server, info } = await new Promise<{ server: ReturnType<typeof serve>; info: AddressInfo }>(
      (resolve, reject) => {
        const s = serve({ fetch: dash.app.fetch, port: opts.port ?? 8080, hostname: bind }, (i) =>
          resolve({ server: s, info: i }),
        );
        s.once('error', reject);
      },
    ));
  } catch (e) {
    dash.close();
    throw e;
  }
  const host = bind.includes(':')
    ? bind === '::'
      ? '127.0.0.1'
      : `[${bind}]`
    : bind === '0.0.0.0'
      ? '127.0.0.1'
      : bind;
  const url = `http://${host}:${info.port}/`;
  return {
    url,
    openUrl: `${url}?token=${token.token}`,
    port: info.port,
    bind,
    token: {
      value: token.token,
      path: token.path,
      created: token.created,
      ...(token.replaced ? { replaced: token.replaced } : {}),
    },
    close: () =>
      new Promise<void>((resolve) => {
        dash.close();
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
