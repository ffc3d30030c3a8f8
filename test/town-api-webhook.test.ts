// GitHub webhooks on the town's server (gt serve): a delivery signed with the town's secret makes the pull requests it
// names due at the refinery's next tick; unsigned, badly signed or oversized ones change nothing.
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureOf } from '../src/forge/webhook.ts';
import { listPrs } from '../src/refinery/index.ts';
import { insertPr, updatePr } from '../src/refinery/pr-store.ts';
import { loadTown, openTownStore } from '../src/town/index.ts';
import { gtJson, tempDir } from './support/gt.ts';
import { startServe, type RunningServe } from './support/town-api.ts';

const SECRET = 'hook secret "with" quotes';

describe('GitHub webhooks on gt serve', () => {
  let cleanup = (): void => {};
  let town = '';
  let serve: RunningServe | undefined;
  let plain: RunningServe | undefined;
  const polled = () => {
    const store = openTownStore(loadTown(town, {}));
    try {
      return Object.fromEntries(listPrs(store, 'app').map((p) => [p.number, p.polled_at]));
    } finally {
      store.close();
    }
  };
  const deliver = (url: string, body: string, headers: Record<string, string>) =>
    fetch(`${url}/hooks/github`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x-github-delivery': 'd-1', ...headers },
    });

  beforeAll(async () => {
    const t = tempDir('gt webhook');
    cleanup = t.cleanup;
    town = join(t.dir, 'my town');
    gtJson(t.dir, ['install', town]);
    const store = openTownStore(loadTown(town, {}));
    try {
      const at = new Date().toISOString();
      for (const [number, branch] of [
        [7, 'polecat/nux'],
        [8, 'polecat/slit'],
      ] as const) {
        insertPr(store, {
          rig: 'app',
          number,
          repo: 'acme/app',
          url: `https://github.com/acme/app/pull/${number}`,
          node_id: `PR_${number}`,
          branch,
          mr: `mr-${number}`,
          head: `${number}`.repeat(40).slice(0, 40),
          state: 'open',
          opened_at: at,
        });
        updatePr(store, { repo: 'acme/app', number }, { polled_at: at });
      }
    } finally {
      store.close();
    }
    serve = await startServe(town, { env: { GT_GITHUB_WEBHOOK_SECRET: SECRET } });
    plain = await startServe(town);
  });

  afterAll(async () => {
    await serve?.stop();
    await plain?.stop();
    cleanup();
  });

  it('a signed review delivery makes its PR due now; the other PR keeps its schedule', async () => {
    const before = polled();
    expect(before[7]).not.toBeNull();
    const body = JSON.stringify({
      action: 'submitted',
      repository: { full_name: 'acme/app' },
      pull_request: { number: 7, head: { ref: 'polecat/nux' } },
    });
    const r = await deliver(serve!.url, body, {
      'x-github-event': 'pull_request_review',
      'x-hub-signature-256': signatureOf(SECRET, body),
    });
    expect(r.status).toBe(202);
    expect(await r.json()).toEqual({ event: 'pull_request_review', delivery: 'd-1', due: 1 });
    expect(polled()).toEqual({ 7: null, 8: before[8] });
  });

  it('refuses unsigned, badly signed and oversized deliveries, and changes nothing', async () => {
    const body = JSON.stringify({ repository: { full_name: 'acme/app' }, pull_request: { number: 8 } });
    const before = polled();
    const unsigned = await deliver(serve!.url, body, { 'x-github-event': 'pull_request' });
    expect(unsigned.status).toBe(401);
    const forged = await deliver(serve!.url, body, {
      'x-github-event': 'pull_request',
      'x-hub-signature-256': signatureOf('another secret', body),
    });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { message: string } }).error.message).toMatch(/X-Hub-Signature-256/);
    // Over GitHub's 25 MiB: refused on its Content-Length, before the body is read.
    const big = await new Promise<number>((res, rej) => {
      const req = httpRequest(
        `${serve!.url}/hooks/github`,
        {
          method: 'POST',
          agent: false,
          headers: {
            'content-type': 'application/json',
            'content-length': String(26 * 1024 * 1024),
            'x-github-event': 'pull_request',
          },
        },
        (r) => {
          res(r.statusCode ?? 0);
          r.resume();
          req.destroy();
        },
      );
      req.on('error', rej);
      req.flushHeaders();
    });
    expect(big).toBe(413);
    expect(polled()).toEqual(before);
  });

  it('a town started without a webhook secret takes no deliveries', async () => {
    const body = JSON.stringify({ repository: { full_name: 'acme/app' }, pull_request: { number: 8 } });
    const r = await deliver(plain!.url, body, {
      'x-github-event': 'pull_request',
      'x-hub-signature-256': signatureOf('', body),
    });
    expect(r.status).toBe(404);
    expect(((await r.json()) as { error: { hint: string } }).error.hint).toMatch(/GT_GITHUB_WEBHOOK_SECRET/);
  });
});
