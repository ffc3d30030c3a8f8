// Dashboard benchmark: a town with 100 agents and 10,000 beads served by the dashboard; first byte and full load of
// the main page, and event-to-DOM latency (200 town events inserted one at a time; the page notes when each appears
// in the activity feed). Run with `npm run bench:dashboard`. Prints figures; asserts nothing. Needs /usr/bin/chromium.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { chromium } from 'playwright-core';
import { createBeads } from '../src/beads/index.ts';
import { cookieName, derivedSecret, serveDashboard } from '../src/dashboard/index.ts';
import { createTmux } from '../src/tmux/index.ts';
import { loadTown, openTownStore } from '../src/town/index.ts';

const GT = resolve(import.meta.dirname, '../bin/gt.js');
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const AGENTS = 100;
const BEADS = 10_000;
const EVENTS = 200;
const SOCKET = `gt-bench-dash-${process.pid}`;
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const median = (xs: number[]): number => sorted(xs)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]): number => sorted(xs)[Math.floor(xs.length * 0.95)]!;
const ms = (n: number): string => `${n.toFixed(1)} ms`;
const epoch = (): number => performance.timeOrigin + performance.now();

function gt(cwd: string, args: string[]): void {
  const r = spawnSync(process.execPath, [GT, ...args], {
    cwd,
    env: { ...process.env, GT_TMUX_SOCKET: SOCKET },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`gt ${args.join(' ')} failed: ${r.stderr}`);
}

function seed(base: string): string {
  const town = join(base, 'town');
  gt(base, ['install', town]);
  const src = join(base, 'src');
  spawnSync('git', ['init', '-q', '-b', 'main', src]);
  spawnSync('git', [
    '-C',
    src,
    '-c',
    'user.name=B',
    '-c',
    'user.email=b@example.com',
    'commit',
    '-q',
    '--allow-empty',
    '-m',
    'first',
  ]);
  gt(town, ['rig', 'add', 'web', src]);
  const ctx = loadTown(town, { ...process.env, GT_TMUX_SOCKET: SOCKET });
  const store = openTownStore(ctx);
  try {
    for (let i = 0; i < BEADS; i += 1000) {
      createBeads(
        store,
        Array.from({ length: 1000 }, (_, j) => ({
          title: `Bench bead ${i + j}`,
          description: 'Seeded for the dashboard bench.',
          priority: (i + j) % 5,
          type: 'task' as const,
        })),
      );
    }
  } finally {
    store.close();
  }
  const db = new DatabaseSync(join(town, '.beads', 'beads.db'));
  db.exec('PRAGMA busy_timeout = 10000');
  const add = db.prepare(
    'INSERT INTO agents (address, role, rig, name, runtime, session, state, started_at, last_activity) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const now = new Date().toISOString();
  db.exec('BEGIN');
  for (let i = 0; i < AGENTS; i++)
    add.run(
      `web/bench${i}`,
      'polecat',
      'web',
      `bench${i}`,
      'sim',
      `web-bench${i}`,
      i % 3 ? 'idle' : 'working',
      now,
      now,
    );
  db.exec('COMMIT');
  db.close();
  return town;
}

async function firstByte(
  url: string,
  runs: number,
  headers: Record<string, string> = {},
): Promise<{ ttfb: number[]; total: number[] }> {
  const ttfb: number[] = [];
  const total: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers });
    const reader = res.body!.getReader();
    await reader.read();
    ttfb.push(performance.now() - t0);
    while (!(await reader.read()).done);
    total.push(performance.now() - t0);
  }
  return { ttfb, total };
}

async function main(): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'gt dash bench '));
  const t0 = performance.now();
  const town = seed(base);
  console.log(`seeded ${AGENTS} agents and ${BEADS} beads in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const townCtx = loadTown(town, { ...process.env, GT_TMUX_SOCKET: SOCKET });
  const dash = await serveDashboard(townCtx, { port: 0 });
  // Each load is a fresh browser already signed in (the cookie and page key the token URL would give), so the timed
  // navigation is the page itself, not the sign-in redirect.
  const signedIn = async (): Promise<import('playwright-core').Page> => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await ctx.addCookies([
      {
        name: cookieName(townCtx),
        value: derivedSecret(dash.token.value, 'cookie'),
        url: dash.url,
        httpOnly: true,
        sameSite: 'Strict',
      },
    ]);
    await ctx.addInitScript(
      `localStorage.setItem('gt-dashboard-key', ${JSON.stringify(derivedSecret(dash.token.value, 'page-key'))})`,
    );
    const page = await ctx.newPage();
    page.on('close', () => void ctx.close());
    return page;
  };
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  try {
    await firstByte(dash.url, 3); // warm up
    const fb = await firstByte(dash.url, 20);
    console.log(
      `GET / first byte                 median ${ms(median(fb.ttfb))}, worst ${ms(Math.max(...fb.ttfb))} (20 runs)`,
    );
    for (const api of ['api/agents', 'api/beads?view=ready', 'api/status']) {
      const r = await firstByte(dash.url + api, 10, { authorization: `Bearer ${dash.token.value}` });
      console.log(
        `GET /${api.padEnd(26)} full answer median ${ms(median(r.total))}, worst ${ms(Math.max(...r.total))} (10 runs)`,
      );
    }

    const loads: { load: number; filled: number }[] = [];
    const parts: { agentsAt: number; beadsAt: number; liveAt: number }[] = [];
    for (let i = 0; i < 5; i++) {
      const page = await signedIn();
      await page.goto(dash.url, { waitUntil: 'load' });
      // Full: the agents and beads panels filled and the live stream connected; each one timed on the page's clock.
      const when = async (expr: string): Promise<number> => {
        await page.waitForFunction(expr, undefined, { polling: 50, timeout: 30_000 });
        return (await page.evaluate('performance.now()')) as number;
      };
      const [agentsAt, beadsAt, liveAt] = await Promise.all([
        when(`document.querySelectorAll('#agents tr[data-address]').length >= ${AGENTS / 2}`),
        when(`document.querySelectorAll('#beads tr[data-bead]').length > 0`),
        when(`document.querySelector('#live')?.dataset.state === 'live'`),
      ]);
      parts.push({ agentsAt, beadsAt, liveAt });
      const filled = Math.max(agentsAt, beadsAt, liveAt);
      const load = (await page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")) as number;
      loads.push({ load, filled });
      if (i < 4) await page.close();
      else {
        const slow = (await page.evaluate(
          `performance.getEntriesByType('resource').map((e) => [e.name.replace(location.origin, ''), e.startTime, e.responseEnd])`,
        )) as [string, number, number][];
        console.log(
          `slowest requests of the last load: ${slow
            .sort((a, b) => b[2] - a[2])
            .slice(0, 5)
            .map(([n, s0, e]) => `${n} ${s0.toFixed(0)}→${e.toFixed(0)} ms`)
            .join(', ')}`,
        );
        await latency(page, town);
      }
    }
    console.log(
      `page load event                  median ${ms(median(loads.map((l) => l.load)))}, worst ${ms(Math.max(...loads.map((l) => l.load)))} (5 loads)`,
    );
    console.log(
      `  of which: agents table ${ms(median(parts.map((p) => p.agentsAt)))}, beads table ${ms(median(parts.map((p) => p.beadsAt)))}, live stream ${ms(median(parts.map((p) => p.liveAt)))} (medians)`,
    );
    console.log(
      `page full (panels filled, live)  median ${ms(median(loads.map((l) => l.filled)))}, worst ${ms(Math.max(...loads.map((l) => l.filled)))} (5 loads)`,
    );
  } finally {
    await browser.close();
    await dash.close();
    await createTmux({ socket: SOCKET })
      .killServer()
      .catch(() => {});
    rmSync(base, { recursive: true, force: true });
  }
}

/** Insert EVENTS town events one at a time; the page records (wall clock) when each shows up in the feed. */
async function latency(page: import('playwright-core').Page, town: string): Promise<void> {
  // In the page: note the wall-clock time at which each bench event's row is added to the feed.
  await page.evaluate(`(() => {
    const seen = (window.__seen = {});
    new MutationObserver((records) => {
      const at = performance.timeOrigin + performance.now();
      for (const r of records) for (const n of r.addedNodes) {
        const s = n.dataset && n.dataset.subject;
        if (s && s.startsWith('bench-ev-') && !(s in seen)) seen[s] = at;
      }
    }).observe(document.querySelector('#feed ol.events'), { childList: true });
  })()`);
  const db = new DatabaseSync(join(town, '.beads', 'beads.db'));
  db.exec('PRAGMA busy_timeout = 10000');
  const insert = db.prepare(
    'INSERT INTO town_events (at, actor, kind, subject, reason, data) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const sent: Record<string, number> = {};
  for (let i = 0; i < EVENTS; i++) {
    const subject = `bench-ev-${i}`;
    sent[subject] = epoch();
    insert.run(new Date().toISOString(), 'bench', 'bench.tick', subject, `event ${i} of ${EVENTS}`, null);
    await new Promise((r) => setTimeout(r, 40 + Math.random() * 40));
  }
  db.close();
  await page
    .waitForFunction(`Object.keys(window.__seen).length >= ${EVENTS}`, undefined, { timeout: 30_000 })
    .catch(() => {});
  const seen = (await page.evaluate('window.__seen')) as Record<string, number>;
  const lat = Object.keys(sent)
    .filter((k) => k in seen)
    .map((k) => seen[k]! - sent[k]!);
  console.log(
    `event → DOM (${lat.length}/${EVENTS} events)       median ${ms(median(lat))}, p95 ${ms(p95(lat))}, worst ${ms(Math.max(...lat))}`,
  );
}

await main();
