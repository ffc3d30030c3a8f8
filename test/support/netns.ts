// Test hosts with real sshd: each one a network namespace (`ip netns`) joined to this one by a veth pair, with its
// own sshd (own host key, config, port and authorized key), its own HOME and directories. Traffic goes only to the
// addresses of the namespaces made here. Without network namespaces (not root, no `ip`), each host is an sshd on
// its own loopback port instead, and the fallback is said on stderr. Everything started is stopped by `stop()`, and
// at process exit if a test died before that.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const SSHD = ['/usr/sbin/sshd', '/usr/local/sbin/sshd'].find((p) => existsSync(p));
/** iproute2's ip, wherever it is (a CI PATH may lack /usr/sbin). */
const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => existsSync(p)) ?? 'ip';

export interface TestHost {
  /** The short name (a, b, …). */
  name: string;
  /** `ssh://root@<address>:<port>` */
  url: string;
  address: string;
  port: number;
  /** The host's own directory (HOME is `<dir>/home`, workspaces go in `<dir>/gastown`). */
  dir: string;
  /** The namespace, when in netns mode. */
  ns: string | null;
  /** Cut the host off the network (veth down) / bring it back. */
  cut(): void;
  restore(): void;
  /** Kill its sshd (listener and connections). */
  killSshd(): void;
  /** Start its sshd again (after killSshd). */
  startSshd(): Promise<void>;
}

export interface TestHosts {
  mode: 'netns' | 'loopback';
  hosts: TestHost[];
  /** Private key whose public half every host accepts. */
  identity: string;
  stop(): void;
}

export function sshdAvailable(): boolean {
  return SSHD !== undefined && spawnSync('ssh', ['-V']).status === 0;
}

function netnsAvailable(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = `gtt-${process.pid}-probe`;
  const r = spawnSync(IP, ['netns', 'add', probe]);
  if (r.status !== 0) return false;
  spawnSync(IP, ['netns', 'del', probe]);
  return true;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

/** Processes whose parent chain leads to `root` (root included). */
function treeOf(root: number): number[] {
  const parent = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, pp] of parent) if (pp === out[i]) out.push(pid);
  return out;
}

function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** Start `names.length` hosts under `base` (a test's temporary directory). */
export async function startTestHosts(base: string, names: readonly string[]): Promise<TestHosts> {
  if (!SSHD) throw new Error('sshd is not installed (openssh-server)');
  const mode = netnsAvailable() ? 'netns' : 'loopback';
  if (mode === 'loopback')
    process.stderr.write(
      'test hosts: network namespaces are not available here; each host is an sshd on its own loopback port\n',
    );
  mkdirSync('/run/sshd', { recursive: true });
  const keys = join(base, 'test-keys');
  mkdirSync(keys, { recursive: true });
  const identity = join(keys, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'gt-test', '-f', identity]);
  const made: { ns?: string; veth?: string; sshd?: () => ChildProcess | undefined; dir: string }[] = [];
  const octet = (process.pid % 250) + 1;
  const hosts: TestHost[] = [];
  const stop = (): void => {
    for (const m of made) {
      const child = m.sshd?.();
      if (child?.pid) killAll(treeOf(child.pid));
      if (m.ns) {
        // Everything that ran in the namespace: sshd's sessions, the tmux server, the agents.
        const pids = spawnSync(IP, ['netns', 'pids', m.ns], { encoding: 'utf8' })
          .stdout.split('\n')
          .filter(Boolean)
          .map(Number);
        killAll(pids);
        spawnSync(IP, ['netns', 'del', m.ns]);
      }
      if (m.veth) spawnSync(IP, ['link', 'del', m.veth]);
      // Loopback hosts: the tmux server on the host's own socket directory.
      const tmuxDir = join(m.dir, 'gastown', 'tmux');
      if (existsSync(tmuxDir)) {
        for (const uidDir of readdirSync(tmuxDir)) {
          for (const sock of readdirSync(join(tmuxDir, uidDir)))
            spawnSync('tmux', ['-S', join(tmuxDir, uidDir, sock), 'kill-server']);
        }
      }
    }
    made.length = 0;
  };
  process.once('exit', stop);
  try {
    for (const [i, name] of names.entries()) {
      const dir = join(base, `host-${name}`);
      const home = join(dir, 'home');
      mkdirSync(home, { recursive: true });
      const hostKey = join(dir, 'ssh_host_ed25519_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
      writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${identity}.pub`));
      let ns: string | null = null;
      let veth: string | undefined;
      let address = '127.0.0.1';
      let port: number;
      if (mode === 'netns') {
        ns = `gtt-${process.pid}-${name}`;
        veth = `gtv${process.pid % 100000}${i}`;
        const peer = `${veth}p`;
        const m = { ns, veth, dir };
        made.push(m);
        const ip = (a: string[], inNs = false): void =>
          void execFileSync(IP, inNs ? ['netns', 'exec', ns!, IP, ...a] : a);
        ip(['netns', 'add', ns]);
        ip(['link', 'add', veth, 'type', 'veth', 'peer', 'name', peer]);
        ip(['link', 'set', peer, 'netns', ns]);
        ip(['addr', 'add', `10.213.${octet}.${i * 4 + 1}/30`, 'dev', veth]);
        ip(['link', 'set', veth, 'up']);
        ip(['addr', 'add', `10.213.${octet}.${i * 4 + 2}/30`, 'dev', peer], true);
        ip(['link', 'set', peer, 'up'], true);
        ip(['link', 'set', 'lo', 'up'], true);
        address = `10.213.${octet}.${i * 4 + 2}`;
        port = 2222;
      } else {
        made.push({ dir });
        port = await freePort();
      }
      const cfg = join(dir, 'sshd_config');
      writeFileSync(
        cfg,
        [
          `Port ${port}`,
          `ListenAddress ${address}`,
          `HostKey "${hostKey}"`,
          `AuthorizedKeysFile "${join(dir, 'authorized_keys')}"`,
          `PidFile "${join(dir, 'sshd.pid')}"`,
          'StrictModes no',
          'PermitRootLogin prohibit-password',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'UsePAM no',
          'AllowTcpForwarding yes',
          'X11Forwarding no',
          `SetEnv "HOME=${home}"`,
          'MaxSessions 100',
          'MaxStartups 100',
          'LogLevel ERROR',
          '',
        ].join('\n'),
      );
      let child: ChildProcess | undefined;
      const entry = made.at(-1)!;
      entry.sshd = () => child;
      const startSshd = async (): Promise<void> => {
        const argv = [SSHD!, '-D', '-e', '-f', cfg];
        const log = openSync(join(dir, 'sshd.log'), 'a');
        child = ns
          ? spawn(IP, ['netns', 'exec', ns, ...argv], { stdio: ['ignore', log, log] })
          : spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', log, log] });
        closeSync(log);
        // Ready when it accepts a connection (ssh-keyscan through the namespace's address).
        for (let t = 0; t < 100; t++) {
          const r = spawnSync('ssh-keyscan', ['-T', '1', '-p', String(port), address], { encoding: 'utf8' });
          if (r.stdout.includes('ssh-ed25519')) return;
          await new Promise((res) => setTimeout(res, 50));
        }
        throw new Error(
          `sshd of test host ${name} did not come up: ${readFileSync(join(dir, 'sshd.log'), 'utf8').trim()}`,
        );
      };
      await startSshd();
      hosts.push({
        name,
        url: `ssh://root@${address}:${port}`,
        address,
        port,
        dir,
        ns,
        cut: () => {
          if (veth) execFileSync(IP, ['link', 'set', veth, 'down']);
        },
        restore: () => {
          if (veth) execFileSync(IP, ['link', 'set', veth, 'up']);
        },
        killSshd: () => {
          if (child?.pid) killAll(treeOf(child.pid));
        },
        startSshd,
      });
    }
  } catch (e) {
    stop();
    throw e;
  }
  return {
    mode,
    hosts,
    identity,
    stop: () => {
      process.off('exit', stop);
      stop();
    },
  };
}
