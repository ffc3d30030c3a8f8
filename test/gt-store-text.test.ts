// Text from the store reaches a terminal without driving it: an OSC 52 clipboard write, a title change, concealed
// text and a cursor jump in a bead title, a mail subject and body, a convoy name and an event come out as visible
// escapes from gt mail read, gt feed (also --follow), gt convoy list/show/status, gt status, gt hook, gt bd and errors;
// --json keeps every byte.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTown, openTownStore, recordTownEvent } from '../src/town/index.ts';
import { gt, gtAsync, gtJson, sourceRepo, tempDir } from './support/gt.ts';

const CLIPBOARD = '\x1b]52;c;cm0gLXJmIH4=\x07';
const TITLE = '\x1b]0;owned\x1b\\';
const HIDDEN = '\x1b[8mhidden\x1b[0m';
const EVIL = `pay${CLIPBOARD}${TITLE}${HIDDEN}\b\x9b2J\u202eday`;
// What a terminal acts on: ESC, C0 (but \n, \t), DEL, C1, bidi overrides.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/u;

describe('store text reaching a terminal', () => {
  let town = '';
  let cleanup = (): void => {};
  let bead = '';
  let mail = '';
  let convoy = '';

  beforeAll(() => {
    const t = tempDir('gt store text');
    cleanup = t.cleanup;
    town = join(t.dir, 'town');
    gtJson(t.dir, ['install', town]);
    sourceRepo(join(t.dir, 'src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(t.dir, 'src')]);
    bead = (JSON.parse(gt(town, ['bd', 'create', '--json', '--', `Title ${EVIL}`]).stdout) as { id: string }).id;
    mail = gtJson<{ mail: { id: string }[] }>(town, [
      'mail',
      'send',
      'mayor',
      '-s',
      `Subject ${EVIL}`,
      '-m',
      `Body line 1\nBody ${EVIL}\rover`,
      '--no-notify',
    ]).mail[0]!.id;
    convoy = gtJson<{ id: string }>(town, ['convoy', 'create', `Convoy ${EVIL}`, bead]).id;
    const s = openTownStore(loadTown(town, { PATH: process.env.PATH ?? '' }), { actor: 'tester' });
    try {
      recordTownEvent(s, { kind: 'sling.refused', subject: bead, reason: `Reason ${EVIL}` });
    } finally {
      s.close();
    }
  });
  afterAll(() => cleanup());

  const safe = (args: string[], shows: RegExp): void => {
    const r = gt(town, args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(shows);
    expect(r.stdout, `gt ${args.join(' ')}`).not.toMatch(UNSAFE);
    expect(r.stdout).toContain('\\e]52;c;cm0gLXJmIH4=\\x07');
  };

  it("gt mail read shows the subject and body with visible escapes, keeping the body's line breaks", () => {
    safe(['mail', 'read', mail], /^Subject: Subject pay\\e\]52;c;/m);
    expect(gt(town, ['mail', 'read', mail]).stdout).toMatch(/^Body line 1\nBody pay\\e/m);
  });

  it('gt convoy list, show and status show the name and titles with visible escapes', () => {
    safe(['convoy', 'list'], new RegExp(`${convoy}.*Convoy pay\\\\e`));
    safe(['convoy', 'show', convoy], new RegExp(`${bead}.*Title pay\\\\e`));
    safe(['convoy', 'status', convoy], /Convoy pay\\e\]52/);
  });

  it('gt feed, gt feed --follow and gt status show event reasons with visible escapes', async () => {
    safe(['feed', '-n', '50'], /sling\.refused\s+\S+: Reason pay\\e/);
    safe(['status', '--events', '50'], /Reason pay\\e/);
    const follow = await gtAsync(town, ['feed', '--follow', '-n', '5'], {}, (soFar, child) => {
      if (soFar.includes('Reason')) child.kill('SIGINT');
    });
    expect(follow.stdout).toMatch(/Reason pay\\e/);
    expect(follow.stdout).not.toMatch(UNSAFE);
  });

  it('gt bd show through gt, and an error naming store text, show visible escapes', () => {
    safe(['bd', 'show', bead], /Title pay\\e/);
    const r = gt(town, ['mail', 'send', `app/${EVIL.slice(0, 3)}${CLIPBOARD}`, '-s', 'x', '-m', 'y']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).not.toMatch(UNSAFE);
  });

  it("gt hook shows a hooked bead's title with visible escapes", () => {
    mkdirSync(join(town, 'app', 'polecats', 'toast'), { recursive: true });
    expect(gt(town, ['bd', 'update', bead, '--status', 'hooked', '-a', 'app/toast']).code).toBe(0);
    safe(['hook', 'app/toast'], new RegExp(`^app/toast: ${bead} Title pay\\\\e`));
  });

  it('--json keeps every byte', () => {
    expect(gtJson<{ subject: string; body: string }>(town, ['mail', 'read', mail])).toMatchObject({
      subject: `Subject ${EVIL}`,
      body: `Body line 1\nBody ${EVIL}\rover`,
    });
    expect(gtJson<{ title: string }>(town, ['convoy', 'show', convoy]).title).toBe(`Convoy ${EVIL}`);
    expect(gtJson<{ reason: string }[]>(town, ['feed', '-n', '50']).some((e) => e.reason === `Reason ${EVIL}`)).toBe(
      true,
    );
  });
});
