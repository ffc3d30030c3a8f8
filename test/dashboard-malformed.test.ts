// Malformed requests against the dashboard on a real socket: garbage and binary bodies, JSON of the wrong shape or
// nested 100,000 deep, prototype keys, bodies over the limit (announced, chunked, or lied about), bad ids and
// percent-escapes in paths, bad query values, wrong methods, raw non-HTTP bytes and connections dropped mid-body.
// Each gets a 4xx JSON answer (or the HTTP parser's own 4xx); nothing reaches the 500 handler, and the server keeps
// answering afterwards.
import { connect } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveDashboard, type RunningDashboard } from '../src/dashboard/index.ts';
import { loadTown } from '../src/town/index.ts';
import { gtJson, sourceRepo, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-dash-bad-${process.pid}`;

describe('the dashboard server and malformed requests', () => {
  const t = tempDir('gt dash bad');
  const townDir = join(t.dir, 'town');
  let dash: RunningDashboard;
  let token = '';
  /** Anything the server's error handler saw as a crash (it answers those with 500). */
  const internal: string[] = [];

  const call = async (
    method: string,
    path: string,
    body?: string | Uint8Array,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; json: unknown; text: string }> => {
    const r = await fetch(new URL(path, dash.url), {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
      ...(body === undefined ? {} : { body }),
    });
    const text = await r.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: r.status, json, text };
  };
  /** Raw bytes over TCP; resolves with whatever the server wrote before closing (or after `ms`). */
  const raw = (bytes: string | Buffer, ms = 3000, end = true): Promise<string> =>
    new Promise((resolve) => {
      const sock = connect(dash.port, '127.0.0.1');
      let out = '';
      const done = (): void => {
        sock.destroy();
        resolve(out);
      };
      // No reply before the deadline is a hang, never taken for a server that closed at once.
      const timer = setTimeout(() => {
        out ||= '(no reply: timed out)';
        done();
      }, ms);
      sock.on('data', (d) => void (out += d.toString('latin1')));
      sock.on('error', () => void 0);
      sock.on('close', () => {
        clearTimeout(timer);
        resolve(out);
      });
      sock.write(bytes, () => {
        if (end) sock.end();
      });
    });
  const alive = async (): Promise<void> => {
    const r = await call('GET', '/api/session');
    expect(r.status).toBe(200);
  };

  beforeAll(async () => {
    gtJson(t.dir, ['install', townDir]);
    sourceRepo(join(t.dir, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(townDir, ['rig', 'add', 'app', join(t.dir, 'app src')]);
    const web = join(t.dir, 'web');
    mkdirSync(web, { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>Gas Town</title>');
    dash = await serveDashboard(loadTown(townDir, { PATH: process.env.PATH ?? '', GT_TMUX_SOCKET: SOCKET }), {
      port: 0,
      webDir: web,
      onError: (m) => internal.push(m),
    });
    token = dash.token.value;
  }, 60_000);

  afterAll(async () => {
    await dash?.close();
    t.cleanup();
  });

  it('answers garbage, wrongly shaped, deep and prototype-polluting JSON bodies with 400s', async () => {
    const binary = new Uint8Array(4096).map((_, i) => (i * 131 + 7) % 256);
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const deepIn = `{"title":"x","labels":${'['.repeat(60_000)}${']'.repeat(60_000)}}`;
    const cases: [string, string, string | Uint8Array, Record<string, string>, number, string][] = [
      ['POST', '/api/beads', binary, {}, 400, 'GT_BAD_JSON'],
      ['POST', '/api/beads', '\u0000\u0001\u0002', {}, 400, 'GT_BAD_JSON'],
      ['POST', '/api/beads', '{"title": "x"', {}, 400, 'GT_BAD_JSON'],
      ['POST', '/api/beads', "{'title': 'x'}", {}, 400, 'GT_BAD_JSON'],
      [
        'POST',
        '/api/beads',
        'title=x&priority=1',
        { 'content-type': 'application/x-www-form-urlencoded' },
        400,
        'GT_BAD_JSON',
      ],
      ['POST', '/api/beads', 'null', {}, 400, 'GT_BAD_REQUEST'],
      ['POST', '/api/beads', '42', {}, 400, 'GT_BAD_REQUEST'],
      ['POST', '/api/beads', '"a bead"', {}, 400, 'GT_BAD_REQUEST'],
      ['POST', '/api/beads', '{"title":"x","priority":1.5}', {}, 400, 'GT_BAD_REQUEST'],
      ['POST', '/api/beads', '{"title":"x","priority":1e400}', {}, 400, 'GT_BAD_REQUEST'],
      ['POST', '/api/beads', '{"title":"   "}', {}, 400, 'GT_BAD_REQUEST'],
      ['POST', '/api/beads', '{"title":"x","rig":"../../etc"}', {}, 400, 'GT_RIG_NOT_FOUND'],
      ['POST', '/api/beads', '{"__proto__":{"polluted":"yes"},"title":"x"}', {}, 400, 'GT_BAD_REQUEST'],
      ['POST', '/api/beads', '{"constructor":{"prototype":{"polluted":"yes"}},"title":"x"}', {}, 400, 'GT_BAD_REQUEST'],
      ['POST', '/api/beads', deep, {}, 400, ''],
      ['POST', '/api/beads', deepIn, {}, 400, ''],
      ['PUT', '/api/config/settings', deep, {}, 400, ''],
      ['PUT', '/api/config/settings', '{"__proto__":{"polluted":"yes"}}', {}, 400, 'GT_BAD_CONFIG'],
      ['PUT', '/api/config/settings', 'null', {}, 400, 'GT_BAD_CONFIG'],
      ['PUT', '/api/config/rigs/app', '[]', {}, 400, 'GT_BAD_CONFIG'],
      ['POST', '/api/sling', '{"beads":[],"target":"app"}', {}, 400, 'GT_BAD_REQUEST'],
      [
        'POST',
        '/api/sling',
        JSON.stringify({ beads: Array.from({ length: 101 }, (_, i) => `app-${i}`), target: 'app' }),
        {},
        400,
        'GT_BAD_REQUEST',
      ],
      ['POST', '/api/agents/mayor/nudge', '{"message":"hi","mode":"shout"}', {}, 400, 'GT_BAD_REQUEST'],
      ['POST', '/api/agents/mayor/nudge', '{"message":""}', {}, 400, 'GT_BAD_REQUEST'],
      ['POST', '/api/agents/mayor/stop', '{"now":true}', {}, 400, 'GT_BAD_REQUEST'],
      ['POST', '/api/mq/mr-x/reject', '{"reason":7}', {}, 400, 'GT_BAD_REQUEST'],
      ['POST', '/api/mail', '{"to":"mayor"}', {}, 400, 'GT_BAD_REQUEST'],
      ['POST', '/api/mail', '{"to":"mayor","subject":"s","priority":"high"}', {}, 400, 'GT_BAD_REQUEST'],
      ['POST', '/api/convoys', '{"name":"c","human":"yes"}', {}, 400, 'GT_BAD_REQUEST'],
    ];
    for (const [method, path, body, headers, status, code] of cases) {
      const r = await call(method, path, body, headers);
      const label = `${method} ${path} ${typeof body === 'string' ? body.slice(0, 60) : '<binary>'}`;
      expect(r.status, `${label}: ${r.text.slice(0, 300)}`).toBe(status);
      expect(r.json, label).toMatchObject({
        error: { code: code || expect.stringMatching(/^GT_/), message: expect.any(String) },
      });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await alive();
    expect(internal).toEqual([]);
  }, 60_000);

  it('refuses bodies over the limit: announced, chunked without a length, or with a length it never sends', async () => {
    const big = JSON.stringify({ title: 'x', description: 'y'.repeat(400 * 1024) });
    const announced = await call('POST', '/api/beads', big);
    expect(announced.status).toBe(413);
    expect(announced.json).toMatchObject({ error: { code: 'GT_BODY_TOO_LARGE' } });
    // Chunked: no Content-Length, so the limit is counted as the body streams in.
    const chunks = `${Array.from({ length: 20 }, () => `10000\r\n${'z'.repeat(0x10000)}\r\n`).join('')}0\r\n\r\n`;
    const head = `POST /api/beads HTTP/1.1\r\nHost: 127.0.0.1:${dash.port}\r\nContent-Type: application/json\r\nAuthorization: Bearer ${token}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
    expect(await raw(head + chunks)).toMatch(/^HTTP\/1\.1 413 /);
    // A length of 10 GB that never arrives: refused at once from the header, nothing allocated.
    const liar = `POST /api/beads HTTP/1.1\r\nHost: 127.0.0.1:${dash.port}\r\nContent-Type: application/json\r\nAuthorization: Bearer ${token}\r\nContent-Length: 10000000000\r\n\r\n{"title":`;
    expect(await raw(liar, 3000, false)).toMatch(/^HTTP\/1\.1 413 /);
    await alive();
    expect(internal).toEqual([]);
  });

  it('answers bad ids, bad percent-escapes and bad query values with 4xx JSON', async () => {
    const long = 'x'.repeat(10_000);
    const cases: [string, string, number][] = [
      ['POST', '/api/mq/%00/retry', 404],
      ['POST', `/api/mq/${long}/retry`, 404],
      ['POST', "/api/mq/'%20OR%201=1%20--/reject", 404],
      ['POST', `/api/mq/${encodeURIComponent('💥')}/retry`, 404],
      ['POST', '/api/mail/%E0%A4%A/read', 400],
      ['POST', '/api/mail/%ZZ/read', 400],
      ['POST', '/api/mail/hq-mail-zzzzzz/reply', 404],
      ['POST', `/api/mail/${long}/read`, 404],
      ['POST', '/api/agents/%ZZ/stop', 400],
      ['POST', '/api/agents/%E0%A4%A/restart', 400],
      ['POST', '/api/agents/app%2F..%2F..%2Fetc/stop', 400],
      ['POST', '/api/agents/nope%2Fnobody/stop', 404],
      ['GET', '/api/agents/%00/pane', 400],
      ['GET', `/api/agents/${long}/pane`, 400],
      ['PUT', '/api/config/rigs/..%2F..%2Fsettings', 404],
      ['GET', '/api/convoys/%ZZ', 400],
      ['GET', "/api/convoys/hq-'%3B%20DROP%20TABLE%20issues%3B--", 400],
      ['GET', '/api/convoys/hq-zzzzz', 404],
      ['GET', '/api/beads?limit=1e3', 400],
      ['GET', '/api/beads?limit=99999999999999999999', 400],
      ['GET', '/api/beads?offset=-5', 400],
      ['GET', '/api/beads?limit=%ZZ', 400],
      ['GET', '/api/feed?after=1.5', 400],
      ['GET', '/api/feed?limit=0', 400],
      ['GET', '/api/agents/mayor/pane?lines=1e9', 400],
      ['GET', '/api/events?after=-1', 400],
      ['GET', '/api/events?after=abc', 400],
      ['PUT', '/api/sling', 404],
      ['PATCH', '/api/beads', 404],
      ['DELETE', '/api/mail/x', 404],
      ['GET', '/api/%ZZ', 404],
    ];
    const seen: string[] = [];
    for (const [method, path, status] of cases) {
      const r = await call(
        method,
        path,
        method === 'GET' ? undefined : path.endsWith('/reply') ? '{"body":"x"}' : '{}',
      );
      const code = (r.json as { error?: { code?: string; message?: string } } | undefined)?.error;
      const ok = r.status === status && /^(GT|BD)_/.test(code?.code ?? '') && typeof code?.message === 'string';
      if (!ok) seen.push(`${method} ${path.slice(0, 80)} → ${r.status} ${r.text.slice(0, 200)}`);
    }
    expect(seen, 'unexpected answers').toEqual([]);
    const events = await fetch(new URL('/api/events', dash.url), {
      headers: { authorization: `Bearer ${token}`, 'last-event-id': 'yesterday' },
    });
    expect(events.status).toBe(400);
    // A text search with odd characters is just text.
    const q = await call('GET', `/api/beads?view=all&q=${encodeURIComponent('%_\'"\\ ; DROP TABLE issues; --')}`);
    expect(q.status).toBe(200);
    expect(q.json).toMatchObject({ beads: [], total: 0 });
    await alive();
    expect(internal).toEqual([]);
  });

  it('survives raw garbage, oversized headers, dropped connections and abandoned event streams', async () => {
    expect(await raw(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]))).toMatch(
      /^(HTTP\/1\.1 400 |$)/,
    );
    expect(await raw('GARBAGE / HTTP/9.9\r\n\r\n')).toMatch(/^(HTTP\/1\.1 400 |$)/);
    expect(await raw(`GET /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`)).toMatch(
      /^HTTP\/1\.1 431 /,
    );
    // Half a request body, then the connection drops; fifty times at once.
    const half = `POST /api/beads HTTP/1.1\r\nHost: 127.0.0.1:${dash.port}\r\nContent-Type: application/json\r\nAuthorization: Bearer ${token}\r\nContent-Length: 1000\r\n\r\n{"title":"half`;
    await Promise.all(Array.from({ length: 50 }, () => raw(half, 200, false)));
    // Event streams opened and abandoned.
    const streams = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const ctl = new AbortController();
        const r = await fetch(new URL('/api/events', dash.url), {
          signal: ctl.signal,
          headers: { authorization: `Bearer ${token}` },
        });
        return { r, ctl };
      }),
    );
    expect(streams.every((s) => s.r.status === 200)).toBe(true);
    for (const s of streams) s.ctl.abort();
    // A burst of concurrent bad requests mixed with good ones.
    const mixed = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        i % 2 ? call('POST', '/api/beads', '{"title":') : call('GET', '/api/status'),
      ),
    );
    expect(mixed.map((r) => r.status)).toEqual(Array.from({ length: 100 }, (_, i) => (i % 2 ? 400 : 200)));
    await alive();
    expect(internal).toEqual([]);
  }, 60_000);
});
