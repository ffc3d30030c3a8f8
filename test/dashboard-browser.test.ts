// The dashboard in a real browser (playwright-core driving Debian's Chromium) over a town worked by sim agents and
// the daemon: a convoy goes from queued to landed on the page without a reload; a config edit round-trips and a
// bad one is shown next to its field; a sling from the page starts a polecat. Screenshots go to test/screenshots/.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serveDashboard, type RunningDashboard } from '../src/dashboard/index.ts';
import { createTmux } from '../src/tmux/index.ts';
import { loadTown } from '../src/town/index.ts';
import { launchChromium } from './support/chromium.ts';
import { gt, gtJson, sourceRepo, tempDir, withTown } from './support/gt.ts';
import { recordStart } from '../src/agents/table.ts';
import { placeAgent } from '../src/providers/placements.ts';

const SHOTS = resolve(import.meta.dirname, 'screenshots');
const SOCKET = `gt-test-dash-${process.pid}`;
const env = { GT_TMUX_SOCKET: SOCKET, GT_DAEMON_TICK_MS: '300', GT_DAEMON_GRACE_MS: '1500', GT_SIM_POLL_MS: '1000' };
const sim = (...lines: string[]): string => ['', '```sim', ...lines, '```', ''].join('\n');

describe('the dashboard in Chromium', () => {
  const t = tempDir('gt dash');
  const town = join(t.dir, 'town');
  const tmux = createTmux({ socket: SOCKET });
  let browser: Browser | undefined;
  let dash: RunningDashboard | undefined;
  let page: Page;
  /** Uncaught errors and console errors of every page: a test fails if its pages logged any. */
  const pageErrors: string[] = [];
  const watch = (p: Page): Page => {
    p.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    p.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
    });
    return p;
  };
  const bead = (cwd: string, title: string, description: string): string =>
    gtJson<{ id: string }>(cwd, ['bd', 'create', title, '-d', description]).id;
  const shot = async (p: Page, name: string, fullPage = false): Promise<void> => {
    mkdirSync(SHOTS, { recursive: true });
    await p.screenshot({ path: join(SHOTS, name), fullPage });
  };

  beforeAll(async () => {
    browser = await launchChromium();
    gtJson(t.dir, ['install', town]);
    const settingsPath = join(town, 'settings', 'config.json');
    const settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      settingsPath,
      JSON.stringify(
        { ...settings, role_agents: { polecat: 'sim' }, caps: { polecats_per_rig: 8, polecats_per_town: 12 } },
        null,
        2,
      ),
    );
    sourceRepo(join(t.dir, 'web src'), 'main', { 'README.md': '# web\n' });
    gtJson(town, ['rig', 'add', 'web', join(t.dir, 'web src')]);
    dash = await serveDashboard(loadTown(town, { ...process.env, ...env }), { port: 0 });
    page = watch(await browser.newPage({ viewport: { width: 1280, height: 800 } }));
    await page.goto(dash.openUrl);
    await page.locator('#live[data-state="live"]').waitFor({ timeout: 10_000 });
  }, 120_000);

  afterEach(() => {
    const seen = pageErrors.splice(0);
    expect(
      seen.filter((e) => !/status of 400/.test(e)),
      'errors in the page',
    ).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await dash?.close();
    if (existsSync(town)) gt(town, ['daemon', 'stop'], { env });
    await tmux.killServer();
    t.cleanup();
  });

  it('shows a convoy go from queued to landed without a reload', async () => {
    await page.evaluate('window.__noReload = true');
    const web = join(town, 'web');
    const a = bead(web, 'Add the about page', 'A page.' + sim('sleep 1', 'write about.html "<h1>About</h1>\\n"'));
    const b = bead(web, 'Add the contact page', 'A page.' + sim('write contact.html "<h1>Contact</h1>\\n"'));
    const convoy = gtJson<{ id: string }>(town, ['convoy', 'create', 'Static pages', a, b, '--owner', 'mayor']).id;
    const card = page.locator(`article.convoy[data-id="${convoy}"]`);
    await expect.poll(() => card.locator('li[data-state="queued"]').count(), { timeout: 5_000 }).toBe(2);
    await expect.poll(() => card.getAttribute('data-state')).toBe('open');
    await shot(page, 'convoy-queued-1280.png');
    gtJson(town, ['daemon', 'start'], { env });
    // On its way: some tracked bead leaves "queued" (working, then merge-pending) while the page stays put.
    await expect
      .poll(() => card.locator('li:not([data-state="queued"])').count(), { timeout: 60_000, interval: 100 })
      .toBeGreaterThan(0);
    const landed = page.locator(`.landed-list li[data-id="${convoy}"][data-state="landed"]`);
    await landed.waitFor({ timeout: 240_000 });
    expect(await page.evaluate('window.__noReload')).toBe(true);
    await expect
      .poll(() => page.locator(`#feed li.event[data-kind="convoy.landed"][data-subject="${convoy}"]`).count(), {
        timeout: 5_000,
      })
      .toBe(1);
    // The queue panel says where the landed work is: on main of the repository the rig came from (issue 12 §3).
    await expect
      .poll(() => page.locator('.rig-where').allTextContents(), { timeout: 10_000 })
      .toContainEqual(expect.stringContaining(`Landed work is on main in ${join(t.dir, 'web src')}`));
    expect(readFileSync(join(t.dir, 'web src', 'about.html'), 'utf8')).toBe('<h1>About</h1>\n');
  }, 300_000);

  it('round-trips a config edit, and shows a bad value next to its field without writing it', async () => {
    const form = page.locator('form[data-form="settings"]');
    const perRig = form.locator('[data-field="caps.polecats_per_rig"] input');
    await perRig.fill('6');
    await form.locator('[data-field="role_agents.crew"] select').selectOption('codex');
    await form.getByRole('button', { name: 'Save settings' }).click();
    const settingsPath = join(town, 'settings', 'config.json');
    await expect
      .poll(() => JSON.parse(readFileSync(settingsPath, 'utf8')).caps.polecats_per_rig, { timeout: 5_000 })
      .toBe(6);
    expect(JSON.parse(readFileSync(settingsPath, 'utf8')).role_agents).toEqual({ polecat: 'sim', crew: 'codex' });
    // A fresh page reads the edit back from the file.
    const fresh = watch(await browser!.newPage({ viewport: { width: 1280, height: 800 } }));
    await fresh.goto(dash!.openUrl);
    await expect
      .poll(() => fresh.locator('form[data-form="settings"] [data-field="caps.polecats_per_rig"] input').inputValue(), {
        timeout: 5_000,
      })
      .toBe('6');
    await fresh.close();
    // A bad value: the server refuses it, the page shows why beside the field, the file keeps the good value.
    await perRig.fill('0');
    await form.getByRole('button', { name: 'Save settings' }).click();
    const err = form.locator('[data-field="caps.polecats_per_rig"] .error-text');
    await expect.poll(() => err.textContent(), { timeout: 5_000 }).toMatch(/1|small|least/i);
    expect(await perRig.getAttribute('aria-invalid')).toBe('true');
    expect(JSON.parse(readFileSync(settingsPath, 'utf8')).caps.polecats_per_rig).toBe(6);
    await err.scrollIntoViewIfNeeded();
    await shot(page, 'config-error-1280.png');
    // A rig gate edit lands in rig.json.
    const rigForm = page.locator('form[data-form="rig:web"]');
    await page.locator('details[data-rig="web"] > summary').click();
    await rigForm.locator('[data-field="gates.test.command"] input').fill('true');
    await rigForm.getByRole('button', { name: 'Save web' }).click();
    await expect
      .poll(() => JSON.parse(readFileSync(join(town, 'web', 'rig.json'), 'utf8')).gates?.test?.command, {
        timeout: 5_000,
      })
      .toBe('true');
  }, 90_000);

  it('slings a bead from the page and a polecat starts on it', async () => {
    await page.getByRole('button', { name: 'New bead' }).first().click();
    const dlg = page.locator('form[data-dialog="bead"]');
    await dlg.locator('[data-field="title"] input').fill('Add the pricing page');
    await dlg.locator('[data-field="rig"] select').selectOption('web');
    await dlg
      .locator('[data-field="description"] textarea')
      .fill('A page.' + sim('sleep 20', 'write pricing.html "<h1>Pricing</h1>\\n"'));
    await dlg.getByRole('button', { name: 'Create bead' }).click();
    const row = page.locator('#beads tr', { hasText: 'Add the pricing page' });
    await row.waitFor({ timeout: 5_000 });
    const id = (await row.getAttribute('data-bead'))!;
    await row.getByRole('button', { name: 'Sling' }).click();
    const sling = page.locator('form[data-dialog="sling"]');
    await expect.poll(() => sling.locator('[data-field="beads"] input').inputValue()).toBe(id);
    await sling.locator('[data-field="target"] input').fill('web');
    await sling.getByRole('button', { name: 'Sling' }).click();
    const result = page.locator(`#dialog li[data-bead="${id}"]`);
    await result.waitFor({ timeout: 30_000 });
    expect(await result.getAttribute('data-status')).toBe('started');
    await page.locator('#dialog').getByRole('button', { name: 'Close' }).click();
    // The agents panel shows a polecat holding the bead, and the hooks panel draws its hook.
    const agent = page.locator('#agents tr[data-address]', { has: page.locator(`.id[title="${id}"]`) });
    await agent.first().waitFor({ timeout: 15_000 });
    expect(await agent.first().getAttribute('data-state')).toMatch(/starting|working|idle/);
    await page.locator(`#hooks li.hook:has(.id[title="${id}"]) ol.cycle`).waitFor({ timeout: 10_000 });
    // Its pane, on demand.
    await agent.first().getByRole('button', { name: 'Pane' }).click();
    await expect
      .poll(() => page.locator('#agents pre.pane-text').textContent(), { timeout: 10_000 })
      .toMatch(/^sim(> |: )/m); // the sim's prompt or its busy line, not just any screen
    await page.evaluate('window.scrollTo(0, 0)');
    await shot(page, 'dashboard-1280.png');
    await shot(page, 'dashboard-1280-full.png', true);
    const narrow = watch(await browser!.newPage({ viewport: { width: 420, height: 860 } }));
    await narrow.goto(dash!.openUrl);
    await narrow.locator('#agents tr[data-address]').first().waitFor({ timeout: 10_000 });
    await narrow.locator('#convoys .panel-head .count').waitFor({ timeout: 10_000 });
    await shot(narrow, 'dashboard-420.png');
    await shot(narrow, 'dashboard-420-full.png', true);
    await narrow.close();
    // The dark theme (the system's preference) at the wide size.
    const dark = watch(await browser!.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' }));
    await dark.goto(dash!.openUrl);
    await dark.locator('#agents tr[data-address]').first().waitFor({ timeout: 10_000 });
    await shot(dark, 'dashboard-1280-dark.png');
    await dark.close();
  }, 180_000);

  it('shows the host each agent runs on, once an agent runs on an SSH host', async () => {
    const head = () => page.locator('#agents th').allTextContents();
    await page.locator('#agents tr[data-address]').first().waitFor({ timeout: 10_000 });
    expect(await head()).not.toContain('Host');
    // An agent placed on host build1 (unreachable here: only its record and placement matter to the panel).
    writeFileSync(
      join(town, 'settings', 'hosts.json'),
      JSON.stringify({
        hosts: {
          build1: {
            url: 'ssh://dev@127.0.0.1:1',
            user: 'dev',
            hostname: '127.0.0.1',
            port: 1,
            max_polecats: 2,
            dir: '/srv/gastown',
            identity: null,
            node: 'node',
            gt_root: '/opt/gastown',
            tunnel_port: 7717,
            added_at: '2026-12-06T00:00:00Z',
          },
        },
      }),
    );
    withTown(town, (s) => {
      recordStart(s, {
        address: 'web/ghost',
        role: 'polecat',
        rig: 'web',
        name: 'ghost',
        runtime: 'sim',
        session: 'web-ghost',
        workdir: '/srv/gastown/work/web/ghost',
        state: 'idle',
        started_at: new Date().toISOString(),
        last_activity: new Date().toISOString(),
      });
      placeAgent(s, {
        address: 'web/ghost',
        session: 'web-ghost',
        host: 'build1',
        workdir: '/srv/gastown/work/web/ghost',
      });
    });
    await page.locator('#agents .panel-head input[type="checkbox"]').check();
    const ghost = page.locator('#agents tr[data-address="web/ghost"] td.host');
    await expect.poll(() => ghost.textContent(), { timeout: 15_000 }).toBe('build1');
    expect(await head()).toContain('Host');
    // Agents on this machine say so in the same column.
    const local = page.locator('#agents tr[data-address]:not([data-address="web/ghost"]) td.host').first();
    expect(await local.textContent()).toBe('local');
  }, 60_000);
});
