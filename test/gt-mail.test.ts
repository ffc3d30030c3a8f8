// gt mail: send, inbox, read, reply, ack, archive and check --inject against a real town store, with a live
// recipient (the fake TUI in real tmux on a private socket) for notifications.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueNudge } from '../src/agents/index.ts';
import { createTmux, type TmuxClient } from '../src/tmux/index.ts';
import { cleanEnv } from './support/bd.ts';
import { insertMails } from '../src/work/mail/index.ts';
import { expectFailure, gt, gtJson, sourceRepo, tempDir, withTown } from './support/gt.ts';

interface Mail {
  id: string;
  from: string;
  to: string;
  subject: string;
  body: string;
  priority: number;
  type: string;
  thread_id: string;
  reply_to: string | null;
  read_at: string | null;
  acked_at: string | null;
  archived_at: string | null;
}
interface Sent {
  thread_id: string;
  mail: Mail[];
  deliveries: { id: string; to: string; session: string | null; notify: string }[];
  notified: boolean;
}

const SOCKET = `gt-mail-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const FAKE_TUI = resolve(import.meta.dirname, '../testing/fake-tui/fake-tui.js');

describe('gt mail', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  let tmux: TmuxClient;
  let env: Record<string, string> = {};
  const as = (who: Record<string, string>) => ({ env: { ...env, ...who } });

  beforeAll(() => {
    const t = tempDir('gt mail');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    env = { GT_TMUX_SOCKET: SOCKET, TMUX_TMPDIR: base };
    tmux = createTmux({ socket: SOCKET, env: cleanEnv({ TMUX_TMPDIR: base }) });
    gtJson(base, ['install', town]);
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
    gtJson(town, ['crew', 'add', 'alice', '--rig', 'app']);
    mkdirSync(join(town, 'app', 'polecats', 'toast'), { recursive: true });
  });

  afterAll(async () => {
    await tmux.killServer();
    expect(spawnSync('tmux', ['-L', SOCKET, 'ls'], { env: cleanEnv({ TMUX_TMPDIR: base }) }).status).not.toBe(0);
    cleanup();
  });

  it('send, inbox, read, reply, ack, archive: one conversation end to end', () => {
    const sent = gtJson<Sent>(
      town,
      ['mail', 'send', 'mayor', '-s', 'Deploy blocked', '-m', 'CI is red', '--priority', '1', '--type', 'task'],
      { env },
    );
    expect(sent.mail).toHaveLength(1);
    const m = sent.mail[0]!;
    expect(m).toMatchObject({
      from: 'overseer',
      to: 'mayor',
      subject: 'Deploy blocked',
      body: 'CI is red',
      priority: 1,
      type: 'task',
      thread_id: m.id,
      reply_to: null,
      read_at: null,
    });
    expect(m.id).toMatch(/^hq-mail-[0-9a-z]{6}$/);
    expect(sent.deliveries).toEqual([{ id: m.id, to: 'mayor', session: 'hq-mayor', notify: 'not-running' }]);
    expect(sent.notified).toBe(false);

    const inbox = gtJson<Mail[]>(town, ['mail', 'inbox', 'mayor', '--unread'], { env });
    expect(inbox.map((x) => x.id)).toEqual([m.id]);
    expect(gtJson<Mail[]>(town, ['mail', 'inbox'], as({ GT_ADDRESS: 'mayor' })).map((x) => x.id)).toEqual([m.id]);

    const text = gt(town, ['mail', 'read', m.id.slice('hq-mail-'.length)], { env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('Subject: Deploy blocked');
    expect(text.stdout).toContain('CI is red');
    expect(gtJson<Mail[]>(town, ['mail', 'inbox', 'mayor', '--unread'], { env })).toEqual([]);

    const r = gtJson<Sent>(town, ['mail', 'reply', m.id, '-m', 'On it'], as({ GT_ADDRESS: 'mayor' }));
    expect(r.mail[0]).toMatchObject({
      from: 'mayor',
      to: 'overseer',
      subject: 'Re: Deploy blocked',
      thread_id: m.id,
      reply_to: m.id,
      type: 'reply',
      priority: 1,
    });
    expect(r.deliveries[0]).toMatchObject({ session: null, notify: 'skipped' });
    const rr = gtJson<Sent>(town, ['mail', 'reply', r.mail[0]!.id, '-m', 'thanks', '--no-notify'], { env });
    expect(rr.mail[0]).toMatchObject({ to: 'mayor', subject: 'Re: Deploy blocked', thread_id: m.id });

    expect(gtJson<Mail>(town, ['mail', 'ack', m.id], { env })).toMatchObject({
      id: m.id,
      acked_at: expect.any(String),
    });
    const ar = gtJson<{ archived: Mail[]; already: string[] }>(town, ['mail', 'archive', m.id, rr.mail[0]!.id], {
      env,
    });
    expect(ar.archived.map((x) => x.id).sort()).toEqual([m.id, rr.mail[0]!.id].sort());
    expect(gtJson<{ already: string[] }>(town, ['mail', 'archive', m.id], { env }).already).toEqual([m.id]);
    expect(gtJson<Mail[]>(town, ['mail', 'inbox', 'mayor'], { env })).toEqual([]);
    expect(gtJson<Mail[]>(town, ['mail', 'inbox', 'mayor', '--all'], { env })).toHaveLength(2);
  });

  it('<rig>/ fans out to every agent of the rig on disk, one row each, one thread', () => {
    const sent = gtJson<Sent>(town, ['mail', 'send', 'app/', '-s', 'Freeze', '-m', 'no merges'], { env });
    expect(sent.mail.map((m) => m.to).sort()).toEqual(['app/crew/alice', 'app/refinery', 'app/toast', 'app/witness']);
    expect(new Set(sent.mail.map((m) => m.thread_id))).toEqual(new Set([sent.thread_id]));
    expect(new Set(sent.mail.map((m) => m.id)).size).toBe(4);
    expect(gtJson<Mail[]>(town, ['mail', 'inbox', 'app/crew/alice'], { env }).map((m) => m.subject)).toContain(
      'Freeze',
    );
    expect(
      gtJson<Mail[]>(town, ['mail', 'inbox'], as({ GT_ROLE: 'polecat', GT_RIG: 'app', GT_NAME: 'toast' })).map(
        (m) => m.subject,
      ),
    ).toContain('Freeze');
  });

  it('the sender is --from, else GT_ADDRESS, else GT_ROLE/GT_RIG/GT_NAME, else overseer', () => {
    const from = (args: string[], who: Record<string, string> = {}) =>
      gtJson<Sent>(town, ['mail', 'send', 'overseer', '-s', 'who', '--no-notify', ...args], as(who)).mail[0]!.from;
    expect(from([])).toBe('overseer');
    expect(from([], { GT_ADDRESS: 'app/witness' })).toBe('app/witness');
    expect(from([], { GT_ROLE: 'crew', GT_RIG: 'app', GT_NAME: 'alice' })).toBe('app/crew/alice');
    expect(from(['--from', 'app/polecats/toast'], { GT_ADDRESS: 'mayor' })).toBe('app/toast');
    expectFailure(
      gt(town, ['mail', 'send', 'mayor', '-s', 'x'], as({ GT_ROLE: 'polecat' })),
      2,
      /GT_ROLE is "polecat" but GT_RIG is not set/,
    );
    expectFailure(
      gt(town, ['mail', 'send', 'mayor', '-s', 'x', '--from', 'app/'], { env }),
      2,
      /"app\/" is a whole rig/,
    );
  });

  it('keeps flag-looking subjects and bodies as text', () => {
    const sent = gtJson<Sent>(
      town,
      ['mail', 'send', 'app/witness', '-s', '-x is broken', '-m', '--rm -rf', '--no-notify'],
      { env },
    );
    expect(sent.mail[0]).toMatchObject({ subject: '-x is broken', body: '--rm -rf' });
    const read = gtJson<Mail>(town, ['mail', 'read', sent.mail[0]!.id], { env });
    expect(read.body).toBe('--rm -rf');
  });

  it('refuses bad addresses, priorities, types and subjects, naming them', () => {
    expectFailure(gt(town, ['mail', 'send', 'nope/toast', '-s', 'x'], { env }), 2, /no rig named "nope"/);
    // A polecat or crew member the rig does not have: refused in one line, nothing stored.
    const before = gtJson<Mail[]>(town, ['mail', 'inbox', 'app/toastt', '--all'], { env }).length;
    expectFailure(
      gt(town, ['mail', 'send', 'app/toastt', '-s', 'x'], { env }),
      2,
      /rig "app" has no polecat "toastt"; the mail was not sent/,
    );
    expectFailure(
      gt(town, ['mail', 'send', 'app/crew/alicee', '-s', 'x'], { env }),
      2,
      /rig "app" has no crew member "alicee"; the mail was not sent/,
    );
    expect(gtJson<Mail[]>(town, ['mail', 'inbox', 'app/toastt', '--all'], { env })).toHaveLength(before);
    expect(gtJson<Mail[]>(town, ['mail', 'inbox', 'app/crew/alicee', '--all'], { env })).toHaveLength(0);
    expectFailure(
      gt(town, ['mail', 'send', 'app/b/c/d', '-s', 'x'], { env }),
      2,
      /"app\/b\/c\/d" is not an agent address/,
    );
    expectFailure(gt(town, ['mail', 'send', '', '-s', 'x'], { env }), 2, /"" is not an agent address/);
    expectFailure(
      gt(town, ['mail', 'send', 'app/to ast', '-s', 'x'], { env }),
      2,
      /"app\/to ast" is not an agent address/,
    );
    expectFailure(gt(town, ['mail', 'send', 'some one', '-s', 'x'], { env }), 2, /"some one" is not an agent address/);
    expectFailure(
      gt(town, ['mail', 'send', 'mayor', '-s', 'x', '--priority', '7'], { env }),
      2,
      /priority "7" is not 0–4/,
    );
    expectFailure(
      gt(town, ['mail', 'send', 'mayor', '-s', 'x', '--type', 'spam'], { env }),
      2,
      /mail type "spam" is not known/,
    );
    expectFailure(gt(town, ['mail', 'send', 'mayor', '-s', '  '], { env }), 2, /the mail has no subject/);
    expectFailure(gt(town, ['mail', 'send', 'mayor'], { env }), 2, /--subject/);
    expectFailure(gt(town, ['mail', 'inbox', 'nope/witness'], { env }), 2, /no rig named "nope"/);
  });

  it('resolves unique id prefixes and refuses unknown, ambiguous and malformed ids', () => {
    // Two ids sharing their first characters, chosen here (ids are random, so no command can make them).
    withTown(town, (s) =>
      insertMails(
        s,
        ['hq-mail-abc111', 'hq-mail-abc222'].map((id) => ({
          id,
          from: 'overseer',
          to: 'app/refinery',
          subject: id,
          body: '',
          priority: 2,
          type: 'message' as const,
        })),
      ),
    );
    expectFailure(
      gt(town, ['mail', 'read', 'abc'], { env }),
      2,
      /"abc" matches more than one mail: hq-mail-abc111, hq-mail-abc222/,
    );
    expectFailure(gt(town, ['mail', 'read', 'hq-mail-'], { env }), 2, /matches more than one mail/);
    expect(gtJson<Mail>(town, ['mail', 'read', 'abc1'], { env }).id).toBe('hq-mail-abc111');
    expect(gtJson<Mail>(town, ['mail', 'read', 'HQ-MAIL-ABC2'], { env }).id).toBe('hq-mail-abc222');
    expectFailure(gt(town, ['mail', 'read', 'hq-mail-zzzzzzzz'], { env }), 1, /no mail matches "hq-mail-zzzzzzzz"/);
    expectFailure(gt(town, ['mail', 'ack', 'a b'], { env }), 2, /"a b" is not a mail id/);
    expectFailure(gt(town, ['mail', 'archive', 'abc1', 'nothere'], { env }), 1, /no mail matches "nothere"/);
    expect(gtJson<Mail>(town, ['mail', 'read', 'abc1'], { env }).archived_at).toBeNull(); // one bad id archives nothing
  });

  it('check --inject prints nothing without mail, the block with mail, and drains queued nudges once', () => {
    const empty = gt(town, ['mail', 'check', '--inject'], as({ GT_ADDRESS: 'app/crew/bob' }));
    expect(empty).toMatchObject({ code: 0, stdout: '', stderr: '' });

    mkdirSync(join(town, 'app', 'crew', 'bob'), { recursive: true });
    gtJson(town, ['mail', 'send', 'app/crew/bob', '-s', 'Urgent thing', '--priority', '0', '--no-notify'], { env });
    const prefix = (JSON.parse(readFileSync(join(town, 'app', 'rig.json'), 'utf8')) as { prefix: string }).prefix;
    enqueueNudge(join(town, '.runtime'), { session: `${prefix}-crew-bob`, message: 'rebase please', from: 'mayor' });

    const first = gt(town, ['mail', 'check', '--inject'], as({ GT_ADDRESS: 'app/crew/bob' }));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^<system-reminder>\n/);
    expect(first.stdout).toContain('[urgent] hq-mail-');
    expect(first.stdout).toContain('"Urgent thing"');
    expect(first.stdout).toContain('mayor: rebase please');
    const second = gt(town, ['mail', 'check', '--inject'], as({ GT_ADDRESS: 'app/crew/bob' }));
    expect(second.stdout).toContain('"Urgent thing"');
    expect(second.stdout).not.toContain('rebase please');

    const json = gtJson<{ address: string; unread: number; mail: Mail[] }>(
      town,
      ['mail', 'check'],
      as({ GT_ADDRESS: 'app/crew/bob' }),
    );
    expect(json).toMatchObject({ address: 'app/crew/bob', unread: 1 });
  });

  it('check --inject never fails loudly: no town, a broken identity', () => {
    const noTown = gt(base, ['mail', 'check', '--inject'], { env });
    expect(noTown.code).toBe(0);
    expect(noTown.stdout).toBe('');
    expect(noTown.stderr).toMatch(/^gt mail check: no town found/);
    expect(noTown.stderr.trim().split('\n')).toHaveLength(1);
    const broken = gt(town, ['mail', 'check', '--inject'], as({ GT_ADDRESS: 'nope/x' }));
    expect(broken).toMatchObject({ code: 0, stdout: '' });
    expect(broken.stderr).toMatch(/no rig named "nope"/);
    expectFailure(gt(base, ['mail', 'inbox'], { env }), 1, /no town found/);
  });

  it('notifies a live recipient by typing into its session, and not with --no-notify', async () => {
    const log = join(base, 'mayor.log');
    writeFileSync(log, '');
    await tmux.newSession({
      name: 'hq-mayor',
      cwd: base,
      argv: [process.execPath, FAKE_TUI, '--log', log],
      width: 160,
      height: 40,
    });
    const deadline = Date.now() + 20_000;
    while ((await tmux.capturePane('hq-mayor'))[0] !== '>' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));

    const quiet = gtJson<Sent>(town, ['mail', 'send', 'mayor', '-s', 'Quiet one', '--no-notify'], { env });
    expect(quiet.deliveries[0]).toMatchObject({ session: 'hq-mayor', notify: 'skipped' });
    expect(quiet.notified).toBe(false);

    const sent = gtJson<Sent>(town, ['mail', 'send', 'mayor', '-s', 'Wake up', '-m', 'details'], { env });
    expect(sent.deliveries[0]).toMatchObject({ session: 'hq-mayor', notify: 'delivered' });
    expect(sent.notified).toBe(true);
    const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    expect(lines).toEqual([`📬 Mail from overseer: Wake up (read it: gt mail read ${sent.mail[0]!.id})`]);
    await tmux.killSession('hq-mayor');
  }, 60_000);

  it('every mail command has --help with an example', () => {
    for (const c of ['send', 'inbox', 'read', 'reply', 'ack', 'archive', 'check']) {
      const r = gt(town, ['mail', c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toMatch(/\nExample:\n {2}gt mail /);
    }
  });
});
