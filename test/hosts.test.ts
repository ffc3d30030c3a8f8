// Polecats on SSH hosts, with real parts (docs/hosts.md): two hosts, each a network namespace with its own sshd,
// HOME and directories (support/netns.ts); the built gt in the town and on the hosts; sim agents. The whole loop:
// gt host add → gt sling --host → the polecat works on the host (a clone through the town's git endpoint, gt and bd
// through the ssh -R tunnel) → gt done pushes and queues → the refinery in the town lands it, once; two hosts and
// this machine at once. gt agents, peek and nudge reach the remote agent and show its host.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { TOWN_EVENTS } from '../src/kernel/index.ts';
import { listPlacements } from '../src/providers/placements.ts';
import { countTownEvents, lastTownEvent, townEventsMatching } from '../src/town/index.ts';
import { git, sourceRepo, tempDir, withTown } from './support/gt.ts';
import { cleanEnv } from './support/bd.ts';
import { GT_BUILT_BIN, gtBuilt, gtBuiltJson, requireFreshBuild } from './support/gt-built.ts';
import { sshdAvailable, startTestHosts, type TestHosts } from './support/netns.ts';

const SOCKET = `gt-test-hosts-${process.pid}`;
const env = { GT_TMUX_SOCKET: SOCKET, GT_DAEMON_TICK_MS: '300', GT_DAEMON_GRACE_MS: '1500', GT_SIM_POLL_MS: '3000' };
const sim = (...lines: string[]): string => ['', '```sim', ...lines, '```', ''].join('\n');

interface SlingJson {
  results: { bead: string; status: string; polecat?: string; host?: string; reason?: string }[];
}
interface AgentJson {
  address: string;
  state: string;
  host: string | null;
  hooked_bead: string | null;
}

describe.skipIf(!sshdAvailable())('polecats on SSH hosts', () => {
  let base = '';
  let town = '';
  const mergedCount = (bead: string): number =>
    withTown(town, (s) => countTownEvents(s, { kind: TOWN_EVENTS.refinery.merged, subject: bead }));
  let cleanup = (): void => {};
  let hosts: TestHosts | undefined;
  const tmux = createTmux({ socket: SOCKET });
  const viewer = createTmux({ socket: `${SOCKET}-view` });
  const gtj = <T>(args: string[]): T => gtBuiltJson<T>(town, args, { env });
  const bead = (title: string, description: string): string =>
    gtj<{ id: string }>(['bd', 'create', '--rig', 'app', title, '-d', description]).id;
  const mainFile = (path: string): string | undefined => {
    const r = spawnSync('git', ['-C', join(town, 'app', '.repo.git'), 'show', `main:${path}`], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout : undefined;
  };
  const until = async <T>(
    probe: () => T | undefined | false | Promise<T | undefined | false>,
    what: string,
    timeoutMs = 120_000,
  ): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const addHost = (name: string, extra: string[] = ['--accept-new']) => {
    const h = hosts!.hosts.find((x) => x.name === name)!;
    return gtBuilt(
      town,
      [
        'host',
        'add',
        name,
        h.url,
        '--identity',
        hosts!.identity,
        '--node',
        process.execPath,
        '--dir',
        join(h.dir, 'gastown'),
        '--max-polecats',
        '2',
        ...extra,
        '--json',
      ],
      { env },
    );
  };

  beforeAll(async () => {
    requireFreshBuild();
    const t = tempDir('gt hosts');
    base = t.dir;
    cleanup = t.cleanup;
    hosts = await startTestHosts(base, ['a', 'b']);
    process.stderr.write(`test hosts: ${hosts.mode} (${hosts.hosts.map((h) => `${h.name}=${h.url}`).join(', ')})\n`);
    town = join(base, 'town');
    gtBuiltJson(base, ['install', town], { env });
    const settingsPath = join(town, 'settings', 'config.json');
    const settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      settingsPath,
      JSON.stringify(
        { ...settings, role_agents: { polecat: 'sim' }, caps: { polecats_per_rig: 10, polecats_per_town: 10 } },
        null,
        2,
      ),
    );
    sourceRepo(join(base, 'app src'), 'main', { 'README.md': '# app\n' });
    gtj(['rig', 'add', 'app', join(base, 'app src')]);
  }, 120_000);

  afterAll(async () => {
    if (town) gtBuilt(town, ['daemon', 'stop'], { env });
    await tmux.killServer();
    await viewer.killServer();
    // The master connections gt started (one per host).
    for (const name of ['a', 'b']) {
      const ctl = join(town, '.runtime', 'ssh', name);
      if (existsSync(ctl)) spawnSync('ssh', ['-S', ctl, '-O', 'exit', 'x'], { timeout: 10_000 });
    }
    hosts?.stop();
    cleanup();
  }, 60_000);

  it('adds a host only with a key it trusts: unknown without --accept-new, then checked and listed', () => {
    const refused = addHost('a', []);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/host a .*did not show a host key Gas Town trusts/);
    expect(refused.stderr).toContain('--accept-new');
    const added = JSON.parse(addHost('a').stdout) as {
      name: string;
      dir: string;
      check: { ok: boolean; tmux: string; git: string };
    };
    expect(added.check.ok).toBe(true);
    expect(added.dir).toBe(join(hosts!.hosts[0]!.dir, 'gastown'));
    expect(JSON.parse(addHost('b').stdout)).toMatchObject({ name: 'b', max_polecats: 2 });
    // The key is in Gas Town's own known_hosts, and the next connection is checked against it (no --accept-new).
    expect(readFileSync(join(town, 'settings', 'hosts', 'known_hosts'), 'utf8')).toContain('ssh-ed25519');
    const checked = gtj<{ host: string; ok: boolean }[]>(['host', 'check']);
    expect(checked.map((c) => [c.host, c.ok])).toEqual([
      ['a', true],
      ['b', true],
    ]);
    expect(gtj<{ name: string }[]>(['host', 'list']).map((h) => h.name)).toEqual(['a', 'b']);
    // The daemon lands what polecats finish and keeps the town API up for the hosts.
    gtj(['daemon', 'start']);
  }, 60_000);

  it('gt doctor checks each host: ssh, git, tmux, node, gt, the agent CLI and disk, one line each, what to do', () => {
    const file = join(town, 'settings', 'hosts.json');
    const saved = readFileSync(file, 'utf8');
    const data = JSON.parse(saved) as { hosts: Record<string, { node: string }> };
    data.hosts.b!.node = '/nonexistent/node';
    writeFileSync(file, JSON.stringify(data, null, 2));
    // The rig's polecats run an agent CLI that host a has on the agent's PATH (its gastown/bin) and host b has not.
    const settingsPath = join(town, 'settings', 'config.json');
    const settings = readFileSync(settingsPath, 'utf8');
    writeFileSync(
      settingsPath,
      JSON.stringify({
        ...(JSON.parse(settings) as object),
        agents: { hostcli: { command: 'gt-test-host-cli' } },
        rigs: { app: { role_agents: { polecat: 'hostcli' } } },
      }),
    );
    const binA = join(hosts!.hosts[0]!.dir, 'gastown', 'bin');
    mkdirSync(binA, { recursive: true });
    writeFileSync(join(binA, 'gt-test-host-cli'), '#!/bin/sh\n', { mode: 0o755 });
    try {
      const r = gtBuilt(town, ['doctor', '--json'], { env });
      const checks = (
        JSON.parse(r.stdout) as { checks: { id: string; status: string; detail: string; hint?: string }[] }
      ).checks;
      const of = (host: string) =>
        Object.fromEntries(checks.filter((c) => c.id.startsWith(`host.${host}.`)).map((c) => [c.id, c.status]));
      expect(of('a')).toEqual({
        'host.a.ssh': 'ok',
        'host.a.dir': 'ok',
        'host.a.git': 'ok',
        'host.a.tmux': 'ok',
        'host.a.node': 'ok',
        'host.a.gt': 'ok',
        'host.a.runtime.gt-test-host-cli': 'ok',
        'host.a.disk': 'ok',
      });
      expect(checks.find((c) => c.id === 'host.b.runtime.gt-test-host-cli')).toMatchObject({
        status: 'error',
        detail: expect.stringContaining(
          "the polecats' agent CLI gt-test-host-cli is not on the agent's PATH on host b",
        ),
      });
      const node = checks.find((c) => c.id === 'host.b.node')!;
      expect(node).toMatchObject({ status: 'error', detail: '/nonexistent/node does not run on host b' });
      expect(node.hint).toContain('gt host add b … --node PATH');
      expect(gtBuilt(town, ['doctor'], { env }).stdout).toContain('/nonexistent/node does not run on host b');
    } finally {
      writeFileSync(file, saved);
      writeFileSync(settingsPath, settings);
      rmSync(join(binA, 'gt-test-host-cli'));
    }
  }, 60_000);

  it('runs a polecat on a host: its clone there, gt and bd through the tunnel; agents, peek and nudge show it; it lands once', async () => {
    const id = bead(
      'Remote change',
      'Made on host a.' + sim('write remote.txt "from host a\\n"', 'sleep 12', 'write done.txt "yes\\n"'),
    );
    const r = gtj<SlingJson>(['sling', id, 'app', '--host', 'a']);
    expect(r.results[0]).toMatchObject({ status: 'started', host: 'a' });
    const address = r.results[0]!.polecat!;
    const name = address.split('/')[1]!;
    const ws = join(hosts!.hosts[0]!.dir, 'gastown', 'work', 'app', name);
    // Working on the host: its first file is in the host's clone, not in the town's worktree.
    await until(() => existsSync(join(ws, 'remote.txt')), 'the first step on the host', 60_000);
    expect(existsSync(join(town, 'app', 'polecats', name, 'remote.txt'))).toBe(false);
    const agents = gtj<AgentJson[]>(['agents']);
    expect(agents.find((a) => a.address === address)).toMatchObject({ host: 'a', hooked_bead: id });
    expect(gtBuilt(town, ['agents'], { env }).stdout).toMatch(new RegExp(`${address}.*\\ba\\s*$`, 'm'));
    const peek = gtBuilt(town, ['peek', address], { env });
    expect(peek.code).toBe(0);
    expect(peek.stdout).toContain(`sim agent ${address}`);
    const status = gtj<{ agents: { list: { address: string; host: string | null }[] } }>(['status']);
    expect(status.agents.list.find((a) => a.address === address)?.host).toBe('a');
    expect(gtBuilt(town, ['status'], { env }).stdout).toMatch(new RegExp(`${address}.*\\(on a\\)`));
    // gt attach in a real terminal (a pane of another tmux server) shows the agent's screen from the host.
    await viewer.newSession({
      name: 'view',
      cwd: town,
      argv: [process.execPath, GT_BUILT_BIN, 'attach', address],
      env: { GT_TMUX_SOCKET: SOCKET },
    });
    await until(
      async () => (await viewer.capturePane('view')).some((l) => l.includes(`sim agent ${address}`)),
      'gt attach to show the remote screen',
      20_000,
    );
    await viewer.killSession('view');
    // A nudge is typed into the agent on the host (immediate: it is busy); delivered means the protocol saw the text
    // in the remote pane and saw it taken by Enter (the sim's next status line then overwrites that line).
    const nudged = gtBuilt(town, ['nudge', address, 'ping from the town', '--mode', 'immediate', '--json'], { env });
    expect(nudged.code, nudged.stderr).toBe(0);
    expect(JSON.parse(nudged.stdout), nudged.stdout).toMatchObject({ status: 'delivered' });

    // The token the agent uses is on the host, readable only by its owner.
    expect(
      (statSync(join(hosts!.hosts[0]!.dir, 'gastown', 'tokens', `app_${name}.token`)).mode & 0o777).toString(8),
    ).toBe('600');
    await until(() => mainFile('done.txt'), 'the remote work to land');
    expect(mainFile('remote.txt')).toBe('from host a\n');
    // Pushed from the host at each commit and at gt done, merged by the town's refinery, once (the refinery records
    // the merge just after main moves).
    await until(() => mergedCount(id) > 0, 'the merge to be recorded', 30_000);
    expect(mergedCount(id)).toBe(1);
    // Committed on the host with the polecat's identity (its post-commit hook pushed it at once).
    expect(
      git(join(town, 'app', '.repo.git'), ['log', '--format=%an', 'main', '--', 'remote.txt'])
        .trim()
        .split('\n'),
    ).toEqual([address]);
    // The host ran it: the agent's process lives in the host's namespace (or under its sshd), not on the town's tmux.
    expect((await tmux.listSessions()).map((s) => s.name)).not.toContain(`app-${name}`);
  }, 180_000);

  it('two hosts and this machine at once: every bead lands once, each where it was slung', async () => {
    const ids = ['a', 'b', 'local'].map(
      (where) => [where, bead(`Change on ${where}`, 'Small.' + sim(`write on-${where}.txt "${where}\\n"`))] as const,
    );
    const slung = new Map<string, string>();
    for (const [where, id] of ids) {
      const r = gtj<SlingJson>(['sling', id, 'app', '--host', where]);
      expect(r.results[0]).toMatchObject({ status: 'started', ...(where === 'local' ? {} : { host: where }) });
      slung.set(where, r.results[0]!.polecat!);
    }
    for (const [where] of ids) await until(() => mainFile(`on-${where}.txt`), `the bead slung to ${where} to land`);
    for (const [where, id] of ids) {
      expect(mainFile(`on-${where}.txt`)).toBe(`${where}\n`);
      await until(() => mergedCount(id) > 0, `the merge of the bead slung to ${where} to be recorded`, 30_000);
      const merged = mergedCount(id);
      const story = withTown(town, (s) => townEventsMatching(s, { subject: id })).map((e) => ({
        kind: e.kind,
        reason: e.reason,
      }));
      expect(merged, `${where}: ${JSON.stringify(story)}`).toBe(1);
    }
    const placed = new Map(withTown(town, (s) => listPlacements(s)).map((p) => [p.address, p.host]));
    expect(['a', 'b', 'local'].map((where) => placed.get(slung.get(where)!) ?? 'local')).toEqual(['a', 'b', 'local']);
  }, 240_000);

  it('a host changed with gt host add replaces its master connection: one master left, and the next sling there starts and lands', async () => {
    const ctl = join(town, '.runtime', 'ssh', 'a');
    const masters = (): number[] =>
      readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
            return argv[0] === 'ssh' && argv.includes('ControlMaster=yes') && argv.includes(ctl);
          } catch {
            return false;
          }
        })
        .map(Number);
    // The earlier tests left host a's master up with the tunnel; changing the host stops it (a new address or key
    // must not reuse it), and the host's check starts one without the tunnel.
    expect(masters()).toHaveLength(1);
    expect(JSON.parse(addHost('a').stdout)).toMatchObject({ name: 'a', check: { ok: true } });
    expect(masters()).toHaveLength(1);
    // Changed in place: the hosts keep their order (placement breaks ties in that order).
    expect(gtj<{ name: string }[]>(['host', 'list']).map((h) => h.name)).toEqual(['a', 'b']);
    const id = bead('After a change', 'Small.' + sim('write after-change.txt "a\\n"'));
    const r = gtj<SlingJson>(['sling', id, 'app', '--host', 'a']);
    // Before, the old master refused `-O exit` and kept the tunnel's port on the host: "port 7717 … is taken".
    expect(r.results[0], JSON.stringify(r.results[0])).toMatchObject({ status: 'started', host: 'a' });
    expect(masters()).toHaveLength(1);
    await until(() => mainFile('after-change.txt'), 'the bead slung after the change to land');
    await until(() => mergedCount(id) > 0, 'the merge to be recorded', 30_000);
    expect(mergedCount(id)).toBe(1);
  }, 180_000);

  it('a host cut off mid-work: its polecat is marked lost and carries on here from its last pushed commit; the host back, its stale session is stopped; it lands once', async () => {
    // Step one is committed (and so pushed) on the host; then the agent waits there, and only there, until cut off.
    const id = bead(
      'Survives a lost host',
      'Two steps.' +
        sim(
          'write step1.txt "one\\n"',
          'run git add -A && (git commit -q -m "step one" || true)',
          'run [ -z "$GT_HOST" ] || sleep 90',
          'write step2.txt "two\\n"',
        ),
    );
    const r = gtj<SlingJson>(['sling', id, 'app', '--host', 'b']);
    expect(r.results[0]).toMatchObject({ status: 'started', host: 'b' });
    const address = r.results[0]!.polecat!;
    const name = address.split('/')[1]!;
    const branch = `polecat/${name}/${id}`;
    const repo = join(town, 'app', '.repo.git');
    await until(
      () => git(repo, ['log', '--format=%s', branch]).includes('step one'),
      'step one to be pushed from the host',
      60_000,
    );
    const pushed = git(repo, ['rev-parse', branch]).trim();
    const hostB = hosts!.hosts.find((h) => h.name === 'b')!;
    const cutAt = Date.now();
    hostB.cut();
    const moved = await until(
      () => withTown(town, (s) => lastTownEvent(s, { kind: TOWN_EVENTS.polecat.moved, subject: id })),
      'the polecat to be marked lost and moved',
      120_000,
    );
    process.stderr.write(
      `hosts test: host cut → polecat moved here in ${((Date.now() - cutAt) / 1000).toFixed(1)} s\n`,
    );
    expect(moved.reason).toContain(`host b is lost`);
    // Resumed from the last pushed commit: the town's worktree is on the branch at what the host had pushed.
    expect(moved.data).toMatchObject({ from_host: 'b', to: 'local', head: pushed });
    await until(() => mainFile('step2.txt'), 'the moved work to land', 120_000);
    expect(mainFile('step1.txt')).toBe('one\n');
    expect(
      git(repo, ['log', '--format=%s', 'main'])
        .split('\n')
        .filter((l) => l === 'step one'),
    ).toHaveLength(1);
    expect(gtj<AgentJson[]>(['agents', '--all']).find((a) => a.address === address)?.host).toBeNull();
    // The host comes back with the old agent still asleep there: the daemon stops that session; nothing lands twice.
    hostB.restore();
    await until(
      () =>
        withTown(town, (s) => countTownEvents(s, { kind: TOWN_EVENTS.polecat.staleStopped, subject: `app-${name}` })) >
        0,
      'the stale session on the returned host to be stopped',
      90_000,
    );
    const merged = mergedCount(id);
    expect(merged).toBe(1);
    // Its old token is revoked: the host's copy of it no longer works.
    const tokenFile = join(hostB.dir, 'gastown', 'tokens', `app_${name}.token`);
    const url = JSON.parse(readFileSync(join(town, '.runtime', 'town-api.json'), 'utf8')) as { url: string };
    const who = spawnSync(process.execPath, [GT_BUILT_BIN, 'hook'], {
      env: cleanEnv({ GT_TOWN_URL: url.url, GT_TOWN_TOKEN_FILE: tokenFile }),
      encoding: 'utf8',
    });
    expect(who.status).toBe(1);
    expect(who.stderr).toMatch(/revoked/i);
  }, 300_000);

  it('sshd killed mid-work: the polecat carries on here from its last pushed commit; sshd back, its stale session is stopped; it lands once', async () => {
    const id = bead(
      'Survives a killed sshd',
      'Two steps.' +
        sim(
          'write k1.txt "one\\n"',
          'run git add -A && (git commit -q -m "k step one" || true)',
          'run [ -z "$GT_HOST" ] || sleep 90',
          'write k2.txt "two\\n"',
        ),
    );
    const r = gtj<SlingJson>(['sling', id, 'app', '--host', 'a']);
    expect(r.results[0]).toMatchObject({ status: 'started', host: 'a' });
    const name = r.results[0]!.polecat!.split('/')[1]!;
    const branch = `polecat/${name}/${id}`;
    const repo = join(town, 'app', '.repo.git');
    await until(() => git(repo, ['log', '--format=%s', branch]).includes('k step one'), 'step one pushed', 60_000);
    const pushed = git(repo, ['rev-parse', branch]).trim();
    const hostA = hosts!.hosts.find((h) => h.name === 'a')!;
    hostA.killSshd();
    const moved = await until(
      () => withTown(town, (s) => lastTownEvent(s, { kind: TOWN_EVENTS.polecat.moved, subject: id })),
      'the polecat to be moved off the host whose sshd died',
      120_000,
    );
    expect(moved.data).toMatchObject({ from_host: 'a', to: 'local', head: pushed });
    await until(() => mainFile('k2.txt'), 'the moved work to land', 120_000);
    await hostA.startSshd();
    await until(
      () =>
        withTown(town, (s) => countTownEvents(s, { kind: TOWN_EVENTS.polecat.staleStopped, subject: `app-${name}` })) >
        0,
      'the stale session on host a to be stopped once sshd is back',
      90_000,
    );
    await until(() => mergedCount(id) > 0, 'the merge to be recorded', 30_000);
    expect(mergedCount(id)).toBe(1);
    expect(
      git(repo, ['log', '--format=%s', 'main'])
        .split('\n')
        .filter((l) => l === 'k step one'),
    ).toHaveLength(1);
  }, 300_000);

  it('a host wiped mid-work (its directory and tmux gone): the polecat restarts there from its last pushed commit and lands once', async () => {
    const hostB = hosts!.hosts.find((h) => h.name === 'b')!;
    const marker = join(hostB.dir, 'wiped');
    const id = bead(
      'Survives a wiped host',
      'Two steps.' +
        sim(
          'write w1.txt "one\\n"',
          'run git add -A && (git commit -q -m "w step one" || true)',
          // The first run waits here until the host is wiped; the run after the wipe goes straight on.
          `run [ -e ${JSON.stringify(marker)} ] || sleep 90`,
          'write w2.txt "two\\n"',
        ),
    );
    const r = gtj<SlingJson>(['sling', id, 'app', '--host', 'b']);
    expect(r.results[0]).toMatchObject({ status: 'started', host: 'b' });
    const name = r.results[0]!.polecat!.split('/')[1]!;
    const branch = `polecat/${name}/${id}`;
    const repo = join(town, 'app', '.repo.git');
    await until(() => git(repo, ['log', '--format=%s', branch]).includes('w step one'), 'step one pushed', 60_000);
    const pushed = git(repo, ['rev-parse', branch]).trim();
    // Wiped: its tmux server and everything under its Gas Town directory gone (the host itself still answers).
    const dir = join(hostB.dir, 'gastown');
    spawnSync('tmux', ['-L', SOCKET, 'kill-server'], { env: { ...process.env, TMUX_TMPDIR: join(dir, 'tmux') } });
    rmSync(dir, { recursive: true, force: true });
    writeFileSync(marker, '');
    // The daemon restarts it on its host: a new clone and worktree there, from the branch as last pushed.
    const ws = join(dir, 'work', 'app', name);
    await until(() => existsSync(join(ws, 'w1.txt')), 'the workspace to be made again on the wiped host', 120_000);
    expect(git(ws, ['log', '--format=%H', '-1', pushed]).trim()).toBe(pushed);
    await until(() => mainFile('w2.txt'), 'the restarted work to land', 120_000);
    await until(() => mergedCount(id) > 0, 'the merge to be recorded', 30_000);
    expect(mergedCount(id)).toBe(1);
    expect(withTown(town, (s) => countTownEvents(s, { kind: TOWN_EVENTS.polecat.moved, subject: id }))).toBe(0);
    expect(
      git(repo, ['log', '--format=%s', 'main'])
        .split('\n')
        .filter((l) => l === 'w step one'),
    ).toHaveLength(1);
  }, 300_000);

  it('places polecats itself without --host: preferred host while it has room, then the least loaded, then the queue; each lands once', async () => {
    const file = join(town, 'settings', 'hosts.json');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      file,
      JSON.stringify({ ...saved, placement: { local_max_polecats: 1, rigs: { app: { prefer: ['b'] } } } }, null, 2),
    );
    const ids = Array.from({ length: 6 }, (_, i) =>
      bead(`Placed ${i}`, 'Placed by the town.' + sim('sleep 25', `write placed-${i}.txt "${i}\\n"`)),
    );
    const dry = gtBuilt(town, ['sling', ids[0]!, 'app', '--dry-run'], { env });
    expect(dry.stdout).toContain(
      'on host b and start sim (placed on host b: preferred by rig app, with room (b 0/2; local 0/1, a 0/2))',
    );
    const r = gtBuilt(town, ['sling', ...ids, 'app'], { env });
    // Each bead's line says where it went and why: b while the preferred host has room, then the least loaded
    // (this machine first on a tie), and the sixth waits: every place is at its cap.
    const why = ids.slice(0, 5).map((id) => {
      const m = new RegExp(`^Slung ${id} to (app/\\S+)(?: on host (\\w+))? .*\\n  placed on (.*)$`, 'm').exec(r.stdout);
      expect(m, r.stdout + r.stderr).not.toBeNull();
      return [m![2] ?? 'local', m![3]] as const;
    });
    expect(why).toEqual([
      ['b', 'host b: preferred by rig app, with room (b 0/2; local 0/1, a 0/2)'],
      ['b', 'host b: preferred by rig app, with room (b 1/2; local 0/1, a 0/2)'],
      ['local', 'this machine: least loaded (local 0/1; a 0/2, b 2/2)'],
      ['a', 'host a: least loaded (a 0/2; local 1/1, b 2/2)'],
      ['a', 'host a: least loaded (a 1/2; local 1/1, b 2/2)'],
    ]);
    expect(r.stdout).toContain(
      `Queued ${ids[5]}: waiting for a free polecat: every place allowed is at its cap: local 1/1, a 2/2, b 2/2`,
    );
    const placed = withTown(town, (s) => listPlacements(s));
    for (const h of ['a', 'b']) {
      const here = placed.filter((p) => p.host === h).map((p) => p.address);
      const slungThere = ids.slice(0, 5).filter((_, i) => why[i]![0] === h);
      expect(here.filter((a) => slungThere.some((id) => r.stdout.includes(`Slung ${id} to ${a} `)))).toHaveLength(2);
    }
    // The sixth is placed when a slot frees (the daemon drains the queue); every bead lands once.
    const story = (id: string): string =>
      JSON.stringify(withTown(town, (s) => townEventsMatching(s, { subject: id })).map((e) => [e.kind, e.reason]));
    for (let i = 0; i < 6; i++)
      await until(() => mainFile(`placed-${i}.txt`), `placed bead ${i} to land: ${story(ids[i]!)}`, 240_000).catch(
        (e: unknown) => {
          const agents = gtBuilt(town, ['agents', '--all'], { env }).stdout;
          const peeks = ids.map(
            (id) =>
              gtBuilt(town, ['peek', r.stdout.match(new RegExp(`Slung ${id} to (\\S+)`))?.[1] ?? 'x'], { env }).stdout,
          );
          throw new Error(`${String(e)}\n${agents}\n${peeks.join('\n---\n')}`);
        },
      );
    for (const id of ids) {
      await until(() => mergedCount(id) > 0, `the merge of ${id} to be recorded`, 30_000);
      expect(mergedCount(id), story(id)).toBe(1);
    }
  }, 420_000);

  it('refuses a host it does not know, before anything is claimed', () => {
    const r = gtBuilt(town, ['sling', bead('Nowhere', 'x'), 'app', '--host', 'nope'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no host named "nope"');
  });
});
