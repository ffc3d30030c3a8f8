// The dashboard's Hono app over the town context: static page, read API, actions, config edits and the live feed,
// behind the town's token (every route but the static page), Host and origin checks, and a body limit. Testable in-process with `app.request`.
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
import { authGuard, cookieName, csrfGuard, derivedSecret, loadOrCreateToken } from './security.ts';
import { dashState } from './state.ts';
import { defaultWebDir, mountStatic } from './static.ts';

export const BODY_LIMIT = 256 * 1024;

export interface AppOptions {
  /** The address the server listens on (default 127.0.0.1): the Host names it answers to follow from it. */
  bind?: string;
  /** The town's token (default: read from, or made in, <town>/.runtime/dashboard-token). */
  token?: string;
  /** Where index.html and the assets are (default: src/dashboard/web of this installation). */
  webDir?: string;
  pollMs?: number;
  heartbeatMs?: number;
  onError?: (message: string) => void;
}

export interface Dashboard {
  app: Hono;
  /** The town's token: `Authorization: Bearer <token>`, or `GET /?token=<token>` to sign a browser in. */
  token: string;
  /** The page key (derived from the token) a signed-in page sends as `X-GT-CSRF`. */
  csrf: string;
  /** The name of the session cookie (one per town). */
  cookie: string;
  live: Live;
  /** End every live stream and stop polling. */
  close(): void;
}

export function createDashboard(town: TownContext, opts: AppOptions = {}): Dashboard {
  const token = opts.token ?? loadOrCreateToken(town).token;
  if (token.length < 32)
    throw new GtError('GT_DASHBOARD_TOKEN', 'the dashboard token is too short (32 characters at least)', {
      hint: 'leave it to gt dashboard, which makes one',
    });
  const csrf = derivedSecret(token, 'page-key');
  const cookie = cookieName(town);
  const st = dashState(town, csrf, 'token');
  const live = createLive(st.town, {
    ...(opts.pollMs ? { pollMs: opts.pollMs } : {}),
    ...(opts.onError ? { onError: opts.onError } : {}),
  });
  st.hint = (panels) => live.hint(panels.filter((p): p is Panel => (PANELS as readonly string[]).includes(p)));
  const app = new Hono();

  app.onError((e, c) => {
    if (!(e instanceof HttpError) && !(e instanceof GtError) && !clientWentAway(c.req.raw, e))
      opts.onError?.(`${c.req.method} ${c.req.path}: ${e.stack ?? e.message}`);
    return errorResponse(c, e);
  });
  app.notFound((c) =>
    c.json({ error: { code: 'GT_NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` } }, 404),
  );
  app.use('*', async (c, next) => {
    await next();
    c.header('x-frame-options', 'DENY');
    c.header('referrer-policy', 'same-origin');
  });
  app.use('*', authGuard({ bind: opts.bind ?? '127.0.0.1', token, cookie }));
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: BODY_LIMIT,
      onError: (c) =>
        c.json(
          { error: { code: 'GT_BODY_TOO_LARGE', message: `request bodies are limited to ${BODY_LIMIT / 1024} KiB` } },
          413,
        ),
    }),
  );
  app.use('/api/*', csrfGuard());

  mountStatic(app, opts.webDir ?? defaultWebDir());
  mountReadRoutes(app, st);
  mountActionRoutes(app, st);
  mountConfigRoutes(app, st);
  mountEventsRoute(app, st, live, opts.heartbeatMs ? { heartbeatMs: opts.heartbeatMs } : {});
  return { app, token, csrf, cookie, live, close: () => live.close() };
}

/** The client closed the connection mid-request (e.g. while sending the body): nobody to answer, nothing to log. */
function clientWentAway(req: Request, e: Error): boolean {
  return req.signal.aborted || e.message === 'aborted' || (e as NodeJS.ErrnoException).code === 'ECONNRESET';
}

/** The Hono app alone (its live poller stops by itself when the last stream closes). */
export function createApp(town: TownContext, opts: AppOptions = {}): Hono {
  return createDashboard(town, opts).app;
}
