// The dashboard's Hono app over the town context: static page, read API, actions, config edits and the live feed,
// behind auth (token off loopback), CSRF checks and a body limit. Testable in-process with `app.request`.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { TownContext } from '../../town/index.ts';
import { GtError } from '../../kernel/index.ts';
import { mountActionRoutes } from './action-routes.ts';
import { mountConfigRoutes } from './config-routes.ts';
import { errorResponse, HttpError } from './errors.ts';
import { mountEventsRoute } from './events-route.ts';
import { createLive, PANELS, type Live, type Panel } from './live.ts';
import { mountReadRoutes } from './read-routes.ts';
import { authGuard, csrfGuard, isLoopback, newSecret } from './security.ts';
import { dashState } from './state.ts';
import { defaultWebDir, mountStatic } from './static.ts';

export const BODY_LIMIT = 256 * 1024;

export interface AppOptions {
  /** The address the server listens on (default 127.0.0.1); anything but loopback needs `token`. */
  bind?: string;
  token?: string;
  /** Where index.html and the assets are (default: src/dashboard/web of this installation). */
  webDir?: string;
  /** The CSRF secret (default: random per server). */
  csrf?: string;
  pollMs?: number;
  heartbeatMs?: number;
  onError?: (message: string) => void;
}

export interface Dashboard {
  app: Hono;
  csrf: string;
  live: Live;
  /** End every live stream and stop polling. */
  close(): void;
}

export function createDashboard(town: TownContext, opts: AppOptions = {}): Dashboard {
  const loopback = isLoopback(opts.bind ?? '127.0.0.1');
  if (!loopback && !opts.token) {
    throw new GtError('GT_DASHBOARD_TOKEN', `binding the dashboard to ${opts.bind} needs a token`, { hint: 'gt dashboard makes one when you pass --bind; or keep the default 127.0.0.1' });
  }
  const csrf = opts.csrf ?? newSecret();
  const st = dashState(town, csrf, loopback ? 'loopback' : 'token');
  const live = createLive(st.town, { ...(opts.pollMs ? { pollMs: opts.pollMs } : {}), ...(opts.onError ? { onError: opts.onError } : {}) });
  st.hint = (panels) => live.hint(panels.filter((p): p is Panel => (PANELS as readonly string[]).includes(p)));
  const app = new Hono();

  app.onError((e, c) => {
    if (!(e instanceof HttpError) && !(e instanceof GtError) && !clientWentAway(c.req.raw, e)) opts.onError?.(`${c.req.method} ${c.req.path}: ${e.stack ?? e.message}`);
    return errorResponse(c, e);
  });
  app.notFound((c) => c.json({ error: { code: 'GT_NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` } }, 404));
  app.use('*', async (c, next) => {
    await next();
    c.header('x-frame-options', 'DENY');
    c.header('referrer-policy', 'same-origin');
  });
  app.use('*', authGuard({ loopback, token: opts.token }));
  app.use('/api/*', bodyLimit({
    maxSize: BODY_LIMIT,
    onError: (c) => c.json({ error: { code: 'GT_BODY_TOO_LARGE', message: `request bodies are limited to ${BODY_LIMIT / 1024} KiB` } }, 413),
  }));
  app.use('/api/*', csrfGuard(csrf));

  mountStatic(app, opts.webDir ?? defaultWebDir());
  mountReadRoutes(app, st);
  mountActionRoutes(app, st);
  mountConfigRoutes(app, st);
  mountEventsRoute(app, st, live, opts.heartbeatMs ? { heartbeatMs: opts.heartbeatMs } : {});
  return { app, csrf, live, close: () => live.close() };
}

/** The client closed the connection mid-request (e.g. while sending the body): nobody to answer, nothing to log. */
function clientWentAway(req: Request, e: Error): boolean {
  return req.signal.aborted || e.message === 'aborted' || (e as NodeJS.ErrnoException).code === 'ECONNRESET';
}

/** The Hono app alone (its live poller stops by itself when the last stream closes). */
export function createApp(town: TownContext, opts: AppOptions = {}): Hono {
  return createDashboard(town, opts).app;
}
