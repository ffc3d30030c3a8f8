// One contract for every runtime provider (src/providers): this machine's tmux, and an SSH host (a real sshd in a
// network namespace, see support/netns.ts). Each case runs against each provider: start, alive, list in one call,
// peek, nudge with the nudge protocol, attach (a real terminal attaches and shows the session), capacity, stop.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import {
  ensureMaster,
  localProvider,
  sshProvider,
  stopMaster,
  type HostConfig,
  type RuntimeProvider,
} from '../src/providers/index.ts';
import { tempDir } from './support/gt.ts';
import { sshdAvailable, startTestHosts, type TestHosts } from './support/netns.ts';

const SOCKET = `gt-test-contract-${process.pid}`;
/** A program that shows a prompt and answers each line it reads. */
const ECHO = ['/bin/sh', '-c', 'printf "ready> "; while IFS= read -r l; do printf "got: %s\\nready> " "$l"; done'];

describe.skipIf(!sshdAvailable())('runtime provider contract', () => {
  let base = '';
  let cleanup = (): void => {};
  let hosts: TestHosts | undefined;
  let host: HostConfig;
  const paths = { settingsDir: '', runtimeDir: '' };
  const viewer = createTmux({ socket: `${SOCKET}-viewer` });
  const providers: Record<string, () => RuntimeProvider> = {
    local: () => localProvider({ socket: SOCKET, env: process.env, runtimeDir: paths.runtimeDir }),
    ssh: () => sshProvider(host, { ...paths, socket: SOCKET }),
  };

  beforeAll(async () => {
    const t = tempDir('gt contract');
    base = t.dir;
    cleanup = t.cleanup;
    paths.settingsDir = join(base, 'settings');
    paths.runtimeDir = join(base, 'runtime');
    mkdirSync(paths.runtimeDir, { recursive: true });
    hosts = await startTestHosts(base, ['a']);
    const th = hosts.hosts[0]!;
    host = {
      name: 'a',
      url: th.url,
      user: 'root',
      hostname: th.address,
      port: th.port,
      max_polecats: 3,
      dir: join(th.dir, 'gastown'),
      identity: hosts.identity,
      node: process.execPath,
      gt_root: process.cwd(),
      tunnel_port: 7717,
      added_at: '',
    };
    await ensureMaster(host, paths, null, { acceptNew: true });
  }, 60_000);

  afterAll(async () => {
    await viewer.killServer();
    await createTmux({ socket: SOCKET }).killServer();
    if (hosts) {
      await stopMaster(host, paths);
      hosts.stop();
    }
    cleanup();
  });

  for (const [kind, make] of Object.entries(providers)) {
    describe(kind, () => {
      const session = `contract-${kind}`;

      it('starts a session in its directory with its environment; alive, listed, and its screen can be peeked', async () => {
        const p = make();
        expect(p.host).toBe(kind === 'local' ? null : 'a');
        const cwd = kind === 'local' ? base : host.dir;
        if (kind !== 'local') mkdirSync(host.dir, { recursive: true });
        await p.start({
          name: `${session}-env`,
          cwd,
          argv: ['/bin/sh', '-c', 'echo "in $(pwd) as $WHO"; sleep 60'],
          env: { WHO: 'tester' },
        });
        await p.start({ name: session, cwd, argv: ECHO });
        expect(await p.alive(session)).toBe(true);
        expect(await p.alive(`${session}-missing`)).toBe(false);
        const names = (await p.list()).map((s) => s.name);
        expect(names).toEqual(expect.arrayContaining([session, `${session}-env`]));
        await until(async () => (await p.peek(`${session}-env`)).join('\n').includes(`in ${cwd} as tester`));
        await until(async () => (await p.peek(session)).some((l) => l.startsWith('ready>')));
      });

      it('nudges with the protocol: the text is typed, taken and submitted once', async () => {
        const p = make();
        const r = await p.nudge(session, 'hello from the town', { mode: 'immediate', from: 'test' });
        expect(r.status).toBe('delivered');
        await until(async () => (await p.peek(session)).includes('got: hello from the town'));
        expect((await p.peek(session, 50)).filter((l) => l === 'got: hello from the town')).toHaveLength(1);
      });

      it('gives an attach command that attaches a real terminal to the session', async () => {
        const p = make();
        const a = p.attachCommand(session);
        expect(a.bin).toBe(kind === 'local' ? 'tmux' : 'ssh');
        // A terminal (a pane of another tmux server) runs the command and shows the session's screen.
        await viewer.newSession({ name: `view-${kind}`, cwd: base, argv: [a.bin, ...a.args], env: {} });
        await until(async () => (await viewer.capturePane(`view-${kind}`)).includes('got: hello from the town'));
        await viewer.killSession(`view-${kind}`);
      });

      it('says its capacity: its cap and the sessions running', async () => {
        const c = await make().capacity();
        expect(c.max).toBe(kind === 'local' ? null : 3);
        expect(c.running).toBeGreaterThanOrEqual(2);
      });

      it('stops a session and its program; stopping it again says nothing ran', async () => {
        const p = make();
        expect(await p.stop(session)).toBe(true);
        expect(await p.stop(`${session}-env`)).toBe(true);
        expect(await p.alive(session)).toBe(false);
        expect((await p.list()).map((s) => s.name)).not.toContain(session);
        expect(await p.stop(session)).toBe(false);
      });
    });
  }

  it('an SSH host that does not answer is an error naming the host, and a listing of it fails fast', async () => {
    const bad: HostConfig = { ...host, name: 'gone', port: 1 };
    const started = Date.now();
    await expect(ensureMaster(bad, paths, null)).rejects.toThrow(
      /host gone .* not reachable|host gone did not show a host key/,
    );
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

async function until(probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
