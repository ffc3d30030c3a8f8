// Serving the town API on a socket: loopback by default (another machine reaches it through an `ssh -R` tunnel), the
// address recorded in `<town>/.runtime/town-api.json` so the town's tools and agent providers find it.
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { writeFileAtomic } from '../kernel/index.ts';
import type { TownContext } from '../town/index.ts';
import { createTownApi, type TownApiOptions } from './app.ts';

export interface ServeApiOptions extends TownApiOptions {
  /** Default 7717; 0 picks a free port. */
  port?: number;
  bind?: string;
}

export interface RunningTownApi {
  url: string;
  port: number;
  bind: string;
  close(): Promise<void>;
}

export function apiInfoPath(town: TownContext): string {
  return join(town.paths.runtime, 'town-api.json');
}

export async function serveTownApi(town: TownContext, opts: ServeApiOptions): Promise<RunningTownApi> {
  const bind = opts.bind ?? '127.0.0.1';
  const api = createTownApi(town, opts);
  let server: ReturnType<typeof serve>;
  let info: AddressInfo;
  try {
    ({ server, info } = await new Promise<{ server: ReturnType<typeof serve>; info: AddressInfo }>(
      (resolve, reject) => {
        const s = serve({ fetch: api.app.fetch, port: opts.port ?? 7717, hostname: bind }, (i) =>
          resolve({ server: s, info: i }),
        );
        s.once('error', reject);
      },
    ));
  } catch (e) {
    api.close();
    throw e;
  }
  const host = bind.includes(':')
    ? bind === '::'
      ? '127.0.0.1'
      : `[${bind}]`
    : bind === '0.0.0.0'
      ? '127.0.0.1'
      : bind;
  const url = `http://${host}:${info.port}`;
  writeFileAtomic(
    apiInfoPath(town),
    `${JSON.stringify({ url, pid: process.pid, bind, started_at: new Date().toISOString() }, null, 2)}\n`,
  );
  return {
    url,
    port: info.port,
    bind,
    close: () =>
      new Promise<void>((resolve) => {
        rmSync(apiInfoPath(town), { force: true });
        server.close(() => {
          api.close();
          resolve();
        });
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
