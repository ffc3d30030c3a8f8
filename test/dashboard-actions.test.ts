// The dashboard's actions in a real browser (playwright-core driving Debian's Chromium) over a real town: the
// overseer's mail (arrives live, read, reply, compose), merge-queue retry and reject of a request that really failed
// its gate, nudge / stop / restart of a sim agent in tmux, and recovery when the dashboard server (and the daemon)
// restart under an open page. Each check looks at the page and at the store, tmux or `gt` output behind it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBead } from '../src/beads/index.ts';
import { serveDashboard, type RunningDashboard } from '../src/dashboard/index.ts';
import { enqueueMergeRequest, getMr, processQueue } from '../src/refinery/index.ts';
import { createTmux } from '../src/tmux/index.ts';
import { loadTown, openTownStore, parseAddress, type TownContext } from '../src/town/index.ts';
import { insertMails, listInbox } from '../src/work/index.ts';
import { getAgent, identityOf, startAgent } from '../src/work/sessions/index.ts';
import { launchChromium } from './support/chromium.ts';
import { git, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

const SHOTS = resolve(import.meta.dirname, 'screenshots');
const SOCKET = `gt-test-dash-act-${process.pid}`;
// The sim agent polls its hook only at start and on Enter here: its idle poll redraws the prompt line, which would
// wipe a nudge's echo from the screen before the page reads the pane.
const env = { GT_TMUX_SOCKET: SOCKET, GT_DAEMON_TICK_MS: '300', GT_DAEMON_GRACE_MS: '1500', GT_SIM_POLL_MS: '3600000' };

interface InboxMail {
  id: string;
  from: string;
  to: string;
  subject: string;
  body: string;
  read_at: string | null;
}

describe('dashboard actions in Chromium', () => {
  const t = tempDir('gt dash act');
  const townDir = join(t.dir, 'town');
  const tmux = createTmux({ socket: SOCKET });
  let town: TownContext;
  let browser: Browser | undefined;
  let dash: RunningDashboard | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  const watch = (p: Page): Page => {
    p.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    p.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
    });
    return p;
  };
  const withStore = <R>(fn: (s: ReturnType<typeof openTownStore>) => R): R => {
    const s = openTownStore(town, { actor: 'tester' });
    try {
      return fn(s);
    } finally {
      s.close();
    }
  };
  const shot = async (p: Page, name: string, fullPage = false): Promise<void> => {
    mkdirSync(SHOTS, { recursive: true });
    await p.screenshot({ path: join(SHOTS, name), fullPage });
  };
  const inboxOf = (address: string): InboxMail[] => gtJson<InboxMail[]>(townDir, ['mail', 'inbox', address], { env });
  /** Scrolls to an element of a panel that may draw itself again meanwhile (replacing the element found). */
  const scrollTo = async (l: Locator): Promise<void> => {
    await expect
      .poll(
        () =>
          l.scrollIntoViewIfNeeded({ timeout: 1_000 }).then(
            () => true,
            () => false,
          ),
        { timeout: 10_000 },
      )
      .toBe(true);
  };
  const noReload = async (): Promise<void> => {
    expect(await page.evaluate('window.__noReload'), 'the page was reloaded').toBe(true);
  };

  beforeAll(async () => {
    browser = await launchChromium();
    gtJson(t.dir, ['install', townDir]);
    const settingsPath = join(townDir, 'settings', 'config.json');
    const settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(settingsPath, JSON.stringify({ ...settings, role_agents: { polecat: 'sim' } }, null, 2));
    sourceRepo(join(t.dir, 'web src'), 'main', { 'README.md': '# web\n' });
    gtJson(townDir, ['rig', 'add', 'web', join(t.dir, 'web src')]);
    town = loadTown(townDir, { ...process.env, ...env });
    dash = await serveDashboard(town, { port: 0 });
    page = watch(await browser.newPage({ viewport: { width: 1280, height: 800 } }));
    await page.goto(dash.openUrl);
    await page.locator('#live[data-state="live"]').waitFor({ timeout: 10_000 });
    await page.evaluate('window.__noReload = true');
  }, 120_000);

  afterEach(() => {
    const seen = pageErrors.splice(0);
    // A refused request (a 4xx the test provoked) logs "Failed to load resource"; nothing else may.
    expect(
      seen.filter((e) => !/status of (400|403|404|409)/.test(e)),
      'errors in the page',
    ).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await dash?.close();
    if (existsSync(townDir)) gt(townDir, ['daemon', 'stop'], { env });
    await tmux.killServer();
    t.cleanup();
  });

  it('shows mail to the overseer as it arrives; reading, replying and composing from the page reach the store', async () => {
    const mail = page.locator('#mail');
    await expect.poll(() => mail.locator('.count').textContent(), { timeout: 5_000 }).toMatch(/^0 unread/);
    const sent = gtJson<{ mail: { id: string }[] }>(
      townDir,
      [
        'mail',
        'send',
        'overseer',
        '-s',
        'Ship on Friday?',
        '-m',
        'The release branch is green.\nShip or wait?',
        '--from',
        'mayor',
      ],
      { env },
    );
    const id = sent.mail[0]!.id;
    // It arrives by the live stream: no reload, unread, counted.
    const item = mail.locator(`li:has(button.mail-item[data-mail="${id}"])`);
    await item.waitFor({ timeout: 5_000 });
    await expect.poll(() => item.getAttribute('class'), { timeout: 5_000 }).toMatch(/\bunread\b/);
    await expect
      .poll(() => mail.locator('.count').textContent(), { timeout: 5_000 })
      .toMatch(/^1 unread · 1 in the inbox/);
    await noReload();

    // Reading it shows the body and marks it read, on the page and in the store.
    await item.locator('button.mail-item').click();
    const reader = mail.locator(`article.reader[data-mail="${id}"]`);
    await expect
      .poll(() => reader.locator('.mail-body').textContent(), { timeout: 5_000 })
      .toBe('The release branch is green.\nShip or wait?');
    await expect
      .poll(() => listInbox(town, 'overseer').find((m) => m.id === id)?.read_at ?? null, { timeout: 5_000 })
      .not.toBeNull();
    await expect.poll(() => item.getAttribute('class'), { timeout: 5_000 }).not.toMatch(/\bunread\b/);
    await expect.poll(() => mail.locator('.count').textContent(), { timeout: 5_000 }).toMatch(/^0 unread/);

    // Reply: lands in the mayor's inbox as `gt mail inbox mayor` shows it.
    await reader.getByRole('textbox', { name: 'Reply' }).fill('Ship it. Tag v1.2 first.');
    await reader.getByRole('button', { name: 'Reply' }).click();
    // (Polled in-process: a `gt` child run synchronously would block this process, which also serves the page.)
    await expect
      .poll(() => listInbox(town, 'mayor').find((m) => m.subject === 'Re: Ship on Friday?'), { timeout: 10_000 })
      .toBeDefined();
    expect(inboxOf('mayor').find((m) => m.subject === 'Re: Ship on Friday?')).toMatchObject({
      from: 'overseer',
      to: 'mayor',
      body: 'Ship it. Tag v1.2 first.',
    });
    await expect.poll(() => page.locator('#toasts').textContent(), { timeout: 5_000 }).toContain('Replied to mayor');
    await scrollTo(reader);
    await shot(page, 'mail-reader-1280.png');

    // Compose: a bad address is refused in the dialog and nothing is sent; a good one arrives.
    await mail.getByRole('button', { name: 'Compose' }).click();
    const dlg = page.locator('form[data-dialog="mail"]');
    await dlg.locator('[data-field="to"] input').fill('nowhere/at/all/x');
    await dlg.locator('[data-field="subject"] input').fill('Freeze merges');
    await dlg.locator('[data-field="body"] textarea').fill('No merges until the release is out.');
    await dlg.getByRole('button', { name: 'Send' }).click();
    await expect
      .poll(() => dlg.locator('.error-text').allTextContents(), { timeout: 5_000 })
      .toContainEqual(expect.stringMatching(/\S/));
    expect(await page.locator('#dialog[open]').count(), 'the dialog stays open').toBe(1);
    await dlg.locator('[data-field="to"] input').fill('mayor');
    await dlg.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.locator('#dialog[open]').count(), { timeout: 5_000 }).toBe(0);
    const inbox = inboxOf('mayor');
    expect(inbox.filter((m) => m.subject === 'Freeze merges')).toEqual([
      expect.objectContaining({ from: 'overseer', body: 'No merges until the release is out.' }),
    ]);
    await noReload();

    // The narrow window keeps the inbox and the reader usable.
    const narrow = watch(await browser!.newPage({ viewport: { width: 420, height: 860 } }));
    await narrow.goto(dash!.openUrl); // a new browser context: sign in first
    await narrow.goto(`${dash!.url}#mail`);
    await narrow.locator(`#mail button.mail-item[data-mail="${id}"]`).click();
    await narrow.locator('#mail article.reader .mail-body').waitFor({ timeout: 5_000 });
    await narrow.locator('#mail').scrollIntoViewIfNeeded();
    await shot(narrow, 'mail-reader-420.png');
    const overflow = await narrow.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow, 'the narrow page scrolls sideways').toBeLessThanOrEqual(0);
    await narrow.close();
  }, 60_000);

  it('retries and rejects merge requests that failed their gate, from the page', async () => {
    // Two requests that really fail the rig's test gate (as the refinery tests make them), after the page is open.
    const rigJson = join(townDir, 'web', 'rig.json');
    writeFileSync(
      rigJson,
      JSON.stringify(
        {
          ...JSON.parse(readFileSync(rigJson, 'utf8')),
          gates: { test: { command: 'echo "2 tests failed"; exit 1', timeout_seconds: 30 } },
        },
        null,
        2,
      ),
    );
    const prefix = (JSON.parse(readFileSync(rigJson, 'utf8')) as { prefix: string }).prefix;
    const repo = join(townDir, 'web', '.repo.git');
    const scratch = join(t.dir, 'scratch');
    git(repo, ['worktree', 'add', '-q', '--detach', scratch, 'main']);
    const request = (name: string): string => {
      const bead = withStore((s) => createBead(s, { title: `Add ${name}`, prefix }).id);
      const branch = `polecat/${name}/${bead}`;
      git(scratch, ['checkout', '-q', '-B', branch, 'main']);
      writeFileSync(join(scratch, `${name}.txt`), `${name}\n`);
      git(scratch, ['add', '-A']);
      git(scratch, ['-c', 'user.name=P', '-c', 'user.email=p@example.com', 'commit', '-q', '-m', name]);
      const head = git(scratch, ['rev-parse', 'HEAD']).trim();
      git(scratch, ['checkout', '-q', '--detach']);
      return withStore((s) => enqueueMergeRequest(s, { rig: 'web', bead, branch, head, priority: 2 }).mr.id);
    };
    const a = request('alpha');
    const b = request('beta');
    const queue = page.locator('#queue');
    await queue.locator(`tr[data-mr="${b}"][data-status="queued"]`).waitFor({ timeout: 5_000 });
    const run = await processQueue(town, 'web', { sling: false });
    expect(run.outcomes.map((o) => o.status)).toEqual(['gate-failed', 'gate-failed']);
    const failedA = queue.locator(`li.mr[data-mr="${a}"][data-status="failed"]`);
    await failedA.waitFor({ timeout: 5_000 });
    await queue.locator(`li.mr[data-mr="${b}"][data-status="failed"]`).waitFor({ timeout: 5_000 });
    expect(await queue.locator('tr[data-mr]').count()).toBe(0);
    await failedA.locator('summary').click();
    expect(await failedA.locator('pre.gate-out').textContent()).toContain('2 tests failed');
    await queue.scrollIntoViewIfNeeded();
    await shot(page, 'queue-failed-1280.png');

    // Retry: back in the queue, on the page and in the store.
    await failedA.getByRole('button', { name: 'Retry' }).click();
    await queue.locator(`tr[data-mr="${a}"][data-status="queued"]`).waitFor({ timeout: 5_000 });
    expect(withStore((s) => getMr(s, a)!.status)).toBe('queued');
    expect(await queue.locator(`li.mr[data-mr="${a}"]`).count()).toBe(0);

    // Reject, with the reason asked for: a failed one from the recent list, the queued one from the table.
    page.once('dialog', (d) => void d.accept('not wanted any more'));
    await queue.locator(`li.mr[data-mr="${b}"]`).getByRole('button', { name: 'Reject' }).click();
    await queue.locator(`li.mr[data-mr="${b}"][data-status="rejected"]`).waitFor({ timeout: 5_000 });
    expect(withStore((s) => getMr(s, b))).toMatchObject({
      status: 'rejected',
      failure: 'rejected: not wanted any more',
    });
    page.once('dialog', (d) => void d.dismiss());
    await queue.locator(`tr[data-mr="${a}"]`).getByRole('button', { name: 'Reject' }).click();
    await new Promise((r) => setTimeout(r, 500));
    expect(
      withStore((s) => getMr(s, a)!.status),
      'cancelling the prompt rejects nothing',
    ).toBe('queued');
    page.once('dialog', (d) => void d.accept('superseded'));
    await queue.locator(`tr[data-mr="${a}"]`).getByRole('button', { name: 'Reject' }).click();
    await queue.locator(`li.mr[data-mr="${a}"][data-status="rejected"]`).waitFor({ timeout: 5_000 });
    expect(withStore((s) => getMr(s, a)!.status)).toBe('rejected');
    expect(
      await queue.locator(`li.mr[data-status="rejected"] button`).count(),
      'a rejected request offers no actions',
    ).toBe(0);
    await queue.scrollIntoViewIfNeeded();
    await shot(page, 'queue-rejected-1280.png');
    await noReload();
    const narrow = watch(await browser!.newPage({ viewport: { width: 420, height: 860 } }));
    await narrow.goto(dash!.openUrl); // a new browser context: sign in first
    await narrow.goto(`${dash!.url}#queue`);
    await scrollTo(narrow.locator(`#queue li.mr[data-mr="${a}"]`));
    await shot(narrow, 'queue-420.png');
    expect(
      await narrow.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
      'the narrow page scrolls sideways',
    ).toBeLessThanOrEqual(0);
    await narrow.close();
  }, 60_000);

  it('nudges, stops and restarts a sim agent from the page', async () => {
    const mayor = identityOf(town, parseAddress(town, 'mayor'));
    await startAgent(town, { identity: mayor, agent: 'sim' });
    const row = page.locator('#agents tr[data-address="mayor"]');
    await row.waitFor({ timeout: 10_000 });
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 10_000 }).toMatch(/idle|working|starting/);

    // Nudge: the text reaches the agent's pane (tmux), and the page's pane view shows it.
    await row.getByRole('button', { name: 'Nudge' }).click();
    const form = page.locator('#agents form.nudge');
    await form.getByRole('textbox', { name: 'Nudge message' }).fill('check the merge queue');
    await form.getByRole('button', { name: 'Send nudge' }).click();
    await expect
      .poll(async () => (await tmux.capturePane(mayor.session)).join('\n'), { timeout: 20_000 })
      .toContain('check the merge queue');
    await expect.poll(() => page.locator('#toasts').textContent(), { timeout: 20_000 }).toContain('Nudged mayor');
    await row.getByRole('button', { name: 'Pane' }).click();
    await expect
      .poll(() => page.locator('#agents pre.pane-text').textContent(), { timeout: 10_000 })
      .toContain('check the merge queue');
    await page.locator('#agents').scrollIntoViewIfNeeded();
    await shot(page, 'agents-pane-1280.png');
    await row.getByRole('button', { name: 'Pane' }).click();

    // Stop: the session is gone; the page says stopped (shown with the "stopped" filter on).
    await row.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => tmux.hasSession(mayor.session), { timeout: 10_000 }).toBe(false);
    await expect.poll(() => row.count(), { timeout: 5_000 }).toBe(0);
    await page.locator('#agents label.check input').check();
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 5_000 }).toBe('stopped');
    expect(withStore((s) => getAgent(s, 'mayor')!.state)).toBe('stopped');

    // Start it again from the page, then restart the running agent: a new session each time.
    const restarted = page.locator('#toasts .toast', { hasText: 'Restarted mayor' });
    await row.getByRole('button', { name: 'Start' }).click();
    await restarted.first().waitFor({ timeout: 30_000 });
    expect(await tmux.hasSession(mayor.session)).toBe(true);
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 10_000 }).toMatch(/idle|working/);
    const startedAt = (): string | null => withStore((s) => getAgent(s, 'mayor')!.started_at);
    const pid = async (): Promise<number | undefined> =>
      (await tmux.listSessions()).find((x) => x.name === mayor.session)?.panePid;
    const before = { at: startedAt(), pid: await pid() };
    expect(before.pid).toBeGreaterThan(0);
    await restarted.first().waitFor({ state: 'detached', timeout: 10_000 });
    await row.getByRole('button', { name: 'Restart' }).click();
    await restarted.first().waitFor({ timeout: 30_000 });
    expect(startedAt()).not.toBe(before.at);
    expect(await pid()).not.toBe(before.pid);
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 10_000 }).toMatch(/idle|working/);
    await noReload();
  }, 90_000);

  it('reconnects by itself when the dashboard server restarts on the same port, and when the daemon restarts', async () => {
    const port = dash!.port;
    const live = page.locator('#live');
    await dash!.close();
    dash = undefined;
    await expect.poll(() => live.getAttribute('data-state'), { timeout: 10_000 }).toBe('down');
    expect(await live.textContent()).toBe('offline');
    // A change while the server is down shows after the reconnect.
    const [away] = withStore((s) =>
      insertMails(s, [
        { from: 'mayor', to: 'overseer', subject: 'While you were away', body: 'one', priority: 2, type: 'message' },
      ]),
    );
    await new Promise((r) => setTimeout(r, 1500));
    await page.evaluate('window.scrollTo(0, 0)');
    await shot(page, 'offline-1280.png');
    expect(await live.getAttribute('data-state'), 'still offline while the server is down').toBe('down');
    dash = await serveDashboard(town, { port });
    await expect.poll(() => live.getAttribute('data-state'), { timeout: 20_000 }).toBe('live');
    await page.locator(`#mail button.mail-item[data-mail="${away!.id}"]`).waitFor({ timeout: 5_000 });
    // The browser logs the dropped stream and the refused reconnects; nothing else may show up.
    expect(
      pageErrors
        .splice(0)
        .filter(
          (e) => !/net::ERR_(CONNECTION_REFUSED|INCOMPLETE_CHUNKED_ENCODING|EMPTY_RESPONSE|CONNECTION_RESET)/.test(e),
        ),
    ).toEqual([]);
    // A change after the reconnect arrives live.
    const [later] = withStore((s) =>
      insertMails(s, [
        { from: 'mayor', to: 'overseer', subject: 'After the restart', body: 'two', priority: 2, type: 'message' },
      ]),
    );
    await page.locator(`#mail button.mail-item[data-mail="${later!.id}"]`).waitFor({ timeout: 5_000 });
    // An action with the old page: the restarted server reads the same token, so the page's cookie and key still work.
    await page.locator(`#mail button.mail-item[data-mail="${later!.id}"]`).click();
    await expect
      .poll(() => listInbox(town, 'overseer').find((m) => m.id === later!.id)?.read_at ?? null, { timeout: 5_000 })
      .not.toBeNull();
    await noReload();

    // The daemon: started, stopped, started again; the page follows each change by itself.
    const pill = page.locator('#summary .pill', { hasText: /daemon/ });
    const problem = page.locator('#problems li[data-kind="daemon-not-running"]');
    await expect.poll(() => problem.count(), { timeout: 5_000 }).toBe(1);
    gtJson(townDir, ['daemon', 'start'], { env });
    await expect.poll(() => pill.textContent(), { timeout: 10_000 }).toMatch(/daemon running/);
    await expect.poll(() => problem.count(), { timeout: 10_000 }).toBe(0);
    gt(townDir, ['daemon', 'stop'], { env });
    await expect.poll(() => pill.textContent(), { timeout: 10_000 }).toMatch(/daemon stopped/);
    await expect.poll(() => problem.count(), { timeout: 10_000 }).toBe(1);
    gtJson(townDir, ['daemon', 'start'], { env });
    await expect.poll(() => pill.textContent(), { timeout: 10_000 }).toMatch(/daemon running/);
    await expect
      .poll(() => page.locator('#feed li.event[data-kind="daemon.start"]').count(), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(2);
    expect(await live.getAttribute('data-state')).toBe('live');
    await noReload();
    gt(townDir, ['daemon', 'stop'], { env });
  }, 90_000);
});
