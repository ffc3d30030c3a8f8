// The town API as one Hono app (docs/town-api.md): `POST /api/v1/run` runs a gt or bd command as the caller's token
// says, `/git/<rig>.git/…` serves the rig's repository over git smart HTTP. Every route but the health check needs a
// token. Testable in-process with `app.request`; `serve.ts` puts it on a socket.
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import * as z from 'zod/mini';
import { GtError, messageOf } from '../kernel/index.ts';
import { readWebhook } from '../forge/webhook.ts';
import { markPrsDue } from '../refinery/index.ts';
import { openTownStore, type TownContext } from '../town/index.ts';
import { AUTH_MESSAGES, authenticate, ownerToken, tokenOfRequest, type Principal } from './auth.ts';
import { serveGit, writeGitHooks } from './git-http.ts';
import { runForPrincipal, type Clis } from './run-command.ts';
import { ensureTokensTable } from './tokens.ts';
import { receiveUsage, UsageBody } from './usage.ts';

/** Largest GitHub webhook delivery GitHub sends: 25 MiB. */
const WEBHOOK_BODY_LIMIT = 25 * 1024 * 1024;

/** Largest `/api/v1/run` body (argv and standard input): 8 MiB. */
export const RUN_BODY_LIMIT = 8 * 1024 * 1024;

const RunBody = z.strictObject({
  program: z.enum(['gt', 'bd']),
  argv: z.array(z.string().check(z.maxLength(1024 * 1024))).check(z.maxLength(1000)),
  stdin: z.optional(z.string()),
});

export interface TownApi {
  app: Hono;
  close(): void;
}

export interface TownApiOptions {
  /** The two CLIs' entry points (runGt, runBd), which the server runs for callers. */
  clis: Clis;
  onError?: (message: string) => void;
}

function fail(
  c: Context,
  status: 400 | 401 | 403 | 404 | 413 | 500,
  code: string,
  message: string,
  hint?: string,
): Response {
  if (status === 401) c.header('WWW-Authenticate', 'Basic realm="gt town", charset="UTF-8"');
  return c.json({ error: { code, message, ...(hint ? { hint } : {}) } }, status);
}

export function createTownApi(town: TownContext, opts: TownApiOptions): TownApi {
  const store = openTownStore(town, { actor: 'gt serve' });
  ensureTokensTable(store);
  const hooksDir = writeGitHooks(town);
  const app = new Hono<{ Variables: { principal: Principal } }>();

  app.onError((e, c) => {
    if (e instanceof GtError) return fail(c, 400, e.code, e.message, e.hint);
    opts.onError?.(`${c.req.method} ${c.req.path}: ${e instanceof Error ? (e.stack ?? e.message) : messageOf(e)}`);
    return fail(c, 500, 'INTERNAL', messageOf(e));
  });
  app.notFound((c) =>
    fail(
      c,
      404,
      'GT_API_NOT_FOUND',
      `no route ${c.req.method} ${c.req.path}`,
      'the town API serves POST /api/v1/run and /git/<rig>.git',
    ),
  );

  app.get('/api/v1/health', (c) => c.json({ service: 'gt-town-api', ok: true }));

  // GitHub's webhook deliveries carry no town token: the HMAC signature with GT_GITHUB_WEBHOOK_SECRET is their
  // credential (src/forge/webhook.ts). A verified delivery makes the PRs it names due at the refinery's next tick.
  app.post(
    '/hooks/github',
    bodyLimit({
      maxSize: WEBHOOK_BODY_LIMIT,
      onError: (c) =>
        fail(c, 413, 'GT_API_TOO_LARGE', `a webhook delivery is at most ${WEBHOOK_BODY_LIMIT / 1024 / 1024} MiB`),
    }),
    async (c) => {
      const secret = town.env.GT_GITHUB_WEBHOOK_SECRET ?? '';
      if (!secret)
        return fail(
          c,
          404,
          'GT_API_NOT_FOUND',
          'this town takes no GitHub webhooks',
          "start gt serve with GT_GITHUB_WEBHOOK_SECRET set to the secret of the repository's webhook",
        );
      const v = readWebhook(secret, Buffer.from(await c.req.arrayBuffer()), c.req.raw.headers);
      if (!v.ok) return fail(c, v.status, 'GT_WEBHOOK_REFUSED', v.reason);
      return c.json({ event: v.event, delivery: v.delivery, due: markPrsDue(store, v.pulls) }, 202);
    },
  );

  app.use('*', async (c, next) => {
    if (c.req.path === '/api/v1/health') return next();
    // Read the owner's file each time: the owner may rotate it (gt dashboard makes it) while the server runs.
    const who = authenticate(town, store, tokenOfRequest(c.req.header('authorization')), ownerToken(town));
    if (typeof who === 'string') {
      const m = AUTH_MESSAGES[who];
      return fail(c, 401, `GT_API_${who.toUpperCase().replace('-', '_')}`, m.message, m.hint);
    }
    c.set('principal', who);
    return next();
  });

  app.get('/api/v1/whoami', (c) => c.json({ address: c.get('principal').address, kind: c.get('principal').kind }));

  app.post(
    '/api/v1/run',
    bodyLimit({
      maxSize: RUN_BODY_LIMIT,
      onError: (c) =>
        fail(
          c,
          413,
          'GT_API_TOO_LARGE',
          `the request is over ${RUN_BODY_LIMIT} bytes`,
          'send large text from a file on standard input in smaller pieces',
        ),
    }),
    async (c) => {
      let raw: unknown;
      try {
        raw = await c.req.json();
      } catch {
        return fail(
          c,
          400,
          'GT_API_BAD_REQUEST',
          'the request body is not JSON',
          'send {"program":"gt"|"bd","argv":[…],"stdin"?:"…"}',
        );
      }
      const body = RunBody.safeParse(raw);
      if (!body.success) {
        return fail(
          c,
          400,
          'GT_API_BAD_REQUEST',
          `the request is not a command: ${body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`,
          'send {"program":"gt"|"bd","argv":[…],"stdin"?:"…"}',
        );
      }
      const reply = await runForPrincipal(town, store, c.get('principal'), body.data, opts.clis);
      return c.json(reply);
    },
  );

  app.post(
    '/api/v1/usage',
    bodyLimit({
      maxSize: RUN_BODY_LIMIT,
      onError: (c) =>
        fail(
          c,
          413,
          'GT_API_TOO_LARGE',
          `the request is over ${RUN_BODY_LIMIT} bytes`,
          'send the transcript in smaller pieces',
        ),
    }),
    async (c) => {
      let raw: unknown;
      try {
        raw = await c.req.json();
      } catch {
        return fail(
          c,
          400,
          'GT_API_BAD_REQUEST',
          'the request body is not JSON',
          'send {"session_id":"…","offset"?:n,"text"?:"…","done"?:true}',
        );
      }
      const body = UsageBody.safeParse(raw);
      if (!body.success)
        return fail(
          c,
          400,
          'GT_API_BAD_REQUEST',
          `the request is not a usage report: ${body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`,
        );
      const p = c.get('principal');
      if (p.kind !== 'agent')
        return fail(
          c,
          403,
          'GT_API_FORBIDDEN',
          "usage is reported with an agent's token",
          'the owner records usage in the town with gt costs record',
        );
      return c.json(receiveUsage(town, p, body.data));
    },
  );

  app.all('/git/:repo/:rest{.+}', (c) =>
    serveGit(town, store, c.get('principal'), hooksDir, {
      method: c.req.method,
      rig: c.req.param('repo'),
      endpoint: c.req.param('rest'),
      query: new URL(c.req.url).search.slice(1),
      headers: c.req.raw.headers,
      body: c.req.raw.body,
      remoteAddr: '127.0.0.1',
    }),
  );

  return { app: app as unknown as Hono, close: () => store.close() };
}
