// Serving the dashboard on a socket with @hono/node-server: loopback by default, a token for any other address.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { TownContext } from '../../town/index.ts';
import { createDashboard, type AppOptions } from './app.ts';
import { isLoopback, loadOrCreateToken } from './security.ts';

export interface ServeOptions extends Omit<AppOptions, 'bind' | 'token'> {
  /** Default 8080; 0 picks a free port. */
  port?: number;
  bind?: string;
}

export interface RunningDashboard {
  url: string;
  port: number;
  bind: string;
  /** Set off loopback: the token, its file, and whether it was made now (print it once then). */
  token?: { value: string; path: string; created: boolean };
  close(): Promise<void>;
}

export async function serveDashboard(town: TownContext, opts: ServeOptions = {}): Promise<RunningDashboard> {
  const bind = opts.bind ?? '127.0.0.1';
  const token = isLoopback(bind) ? undefined : loadOrCreateToken(town);
  const dash = createDashboard(town, { ...opts, bind, ...(token ? { token: token.token } : {}) });
  const { server, info } = await new Promise<{ server: ReturnType<typeof serve>; info: AddressInfo }>((resolve, reject) => {
    const s = serve({ fetch: dash.app.fetch, port: opts.port ?? 8080, hostname: bind }, (i) => resolve({ server: s, info: i }));
    s.once('error', reject);
  });
  const host = bind.includes(':') ? `[${bind}]` : bind === '0.0.0.0' ? '127.0.0.1' : bind;
  return {
    url: `http://${host}:${info.port}/`,
    port: info.port,
    bind,
    ...(token ? { token: { value: token.token, path: token.path, created: token.created } } : {}),
    close: () => new Promise<void>((resolve) => {
      dash.close();
      server.close(() => resolve());
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    }),
  };
}
