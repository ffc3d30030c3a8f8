// SSH hosts as a provider: the system `ssh` with one ControlMaster connection per host (every later call reuses it)
// carrying the `ssh -R` tunnel that lets the host's gt and bd reach the town API on the town's loopback, so the
// town's machine opens no inbound port. Host keys are checked against Gas Town's own known_hosts (hosts.ts).
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GtError, writeFileAtomic } from '../kernel/index.ts';
import { run, spawnDetached, type RunResult } from '../proc/index.ts';
import { shellQuote } from '../tmux/index.ts';
import { knownHostsFile, type HostConfig } from './hosts.ts';
import { tmuxProvider } from './tmux-provider.ts';
import type { RuntimeProvider } from './types.ts';

export interface SshPaths {
  settingsDir: string;
  runtimeDir: string;
}

/** The master connection's control socket (kept short: a unix socket path has ~100 bytes). */
export function controlPath(paths: SshPaths, host: Pick<HostConfig, 'name'>): string {
  const p = join(paths.runtimeDir, 'ssh', host.name);
  if (p.length <= 90) return p;
  return join(tmpdir(), `gt-ssh-${createHash('sha256').update(p).digest('hex').slice(0, 16)}`);
}

function destination(h: HostConfig): string {
  return h.user ? `${h.user}@${h.hostname}` : h.hostname;
}

/** ssh's options for this host: Gas Town's known_hosts, no prompts, short timeouts, the shared connection. */
export function sshOptions(h: HostConfig, paths: SshPaths, o: { acceptNew?: boolean } = {}): string[] {
  return [
    '-o',
    'BatchMode=yes',
    // Quoted: ssh splits an option's value at spaces (a town path may hold some).
    '-o',
    `UserKnownHostsFile="${knownHostsFile(paths.settingsDir)}"`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    `StrictHostKeyChecking=${o.acceptNew ? 'accept-new' : 'yes'}`,
    '-o',
    'ConnectTimeout=5',
    '-o',
    'ServerAliveInterval=5',
    '-o',
    'ServerAliveCountMax=2',
    '-S',
    controlPath(paths, h),
    '-p',
    String(h.port),
    ...(h.identity ? ['-i', h.identity, '-o', 'IdentitiesOnly=yes'] : []),
  ];
}

/** Why an ssh call failed, in one line, and what to do. */
export function sshFailure(h: HostConfig, stderr: string): GtError {
  const text =
    stderr
      .trim()
      .split('\n')
      .filter((l) => !/^Warning: Permanently added/.test(l))
      .pop() ?? 'ssh failed';
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No .* host key is known/i.test(stderr)) {
    return new GtError('GT_HOST_KEY', `host ${h.name} (${h.url}) did not show a host key Gas Town trusts: ${text}`, {
      hint: `check the host's key out of band; for a new host run gt host check ${h.name} --accept-new (first use only)`,
    });
  }
  if (/Permission denied/i.test(stderr)) {
    return new GtError('GT_HOST_AUTH', `host ${h.name} refused the login: ${text}`, {
      hint: 'give the key with gt host add --identity, or load it in ssh-agent; gt host check tries again',
    });
  }
  return new GtError('GT_HOST_UNREACHABLE', `host ${h.name} (${h.url}) is not reachable: ${text}`, {
    hint: `gt host check ${h.name} says what works; the daemon retries`,
  });
}

/** Run one shell command line on the host (through the master connection when it is up). */
export async function sshRun(
  h: HostConfig,
  paths: SshPaths,
  command: string,
  o: { input?: string; timeoutMs?: number; acceptNew?: boolean } = {},
): Promise<RunResult> {
  return run('ssh', [...sshOptions(h, paths, o), '-o', 'ControlMaster=no', destination(h), command], {
    timeoutMs: o.timeoutMs ?? 30_000,
    ...(o.input !== undefined ? { input: o.input } : {}),
  });
}

/** Like sshRun, but a failure of ssh itself (exit 255) or of the command throws. */
export async function sshExec(
  h: HostConfig,
  paths: SshPaths,
  command: string,
  o: { input?: string; timeoutMs?: number; acceptNew?: boolean } = {},
): Promise<string> {
  const r = await sshRun(h, paths, command, o);
  if (r.status === 255) throw sshFailure(h, r.stderr);
  if (r.status !== 0) {
    throw new GtError(
      'GT_HOST_COMMAND',
      `on host ${h.name}: ${(r.stderr.trim() || r.stdout.trim() || `exit ${r.status}`).split('\n').slice(-2).join(' ')}`,
      { hint: `gt host check ${h.name} checks ssh, git, tmux and node there` },
    );
  }
  return r.stdout;
}

interface MasterInfo {
  serve_port: number | null;
}

function masterInfoFile(paths: SshPaths, h: HostConfig): string {
  return `${controlPath(paths, h)}.json`;
}

/** The town API port the host's master tunnels to (undefined: no master started by Gas Town). */
function masterPort(paths: SshPaths, h: HostConfig): number | null | undefined {
  const file = masterInfoFile(paths, h);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as MasterInfo).serve_port : undefined;
}

export async function masterAlive(h: HostConfig, paths: SshPaths): Promise<boolean> {
  if (!existsSync(controlPath(paths, h))) return false;
  const r = await run('ssh', [...sshOptions(h, paths), '-O', 'check', destination(h)], { timeoutMs: 10_000 });
  return r.status === 0;
}

export async function stopMaster(h: HostConfig, paths: SshPaths): Promise<void> {
  if (existsSync(controlPath(paths, h)))
    await run('ssh', [...sshOptions(h, paths), '-O', 'exit', destination(h)], { timeoutMs: 10_000 });
  rmSync(masterInfoFile(paths, h), { force: true });
}

/**
 * The host's master connection, started when it is not up, with the tunnel `127.0.0.1:<tunnel_port>` on the host →
 * the town API on this machine's `127.0.0.1:<servePort>` (servePort null: no tunnel). A master tunnelling to another
 * port (the town API restarted elsewhere) is replaced.
 */
export async function ensureMaster(
  h: HostConfig,
  paths: SshPaths,
  servePort: number | null,
  o: { acceptNew?: boolean } = {},
): Promise<void> {
  // One at a time per host in this process: a batch's starts on one host would each start a master, and every one
  // after the first would fail to open the tunnel's port, which the first holds.
  const key = controlPath(paths, h);
  const before = mastering.get(key) ?? Promise.resolve();
  const mine = before.then(() => startMaster(h, paths, servePort, o));
  const settled = mine.catch(() => undefined);
  mastering.set(key, settled);
  try {
    await mine;
  } finally {
    if (mastering.get(key) === settled) mastering.delete(key);
  }
}

const mastering = new Map<string, Promise<unknown>>();

async function startMaster(
  h: HostConfig,
  paths: SshPaths,
  servePort: number | null,
  o: { acceptNew?: boolean },
): Promise<void> {
  const infoFile = masterInfoFile(paths, h);
  if (await masterAlive(h, paths)) {
    const port = masterPort(paths, h);
    if (port !== undefined && (servePort === null || port === servePort)) return;
    await stopMaster(h, paths);
  }
  const ctl = controlPath(paths, h);
  mkdirSync(join(ctl, '..'), { recursive: true, mode: 0o700 });
  mkdirSync(join(knownHostsFile(paths.settingsDir), '..'), { recursive: true, mode: 0o700 });
  rmSync(ctl, { force: true });
  const log = `${ctl}.log`;
  const fd = openSync(log, 'w', 0o600);
  const forward =
    servePort === null
      ? []
      : ['-o', 'ExitOnForwardFailure=yes', '-R', `127.0.0.1:${h.tunnel_port}:127.0.0.1:${servePort}`];
  let child;
  try {
    child = spawnDetached(
      'ssh',
      [
        ...sshOptions(h, paths, o),
        '-o',
        'ControlMaster=yes',
        '-o',
        'ControlPersist=no',
        // No -M as well: with ControlMaster=yes already given, a -M makes it "ask", and a master that asks (with no
        // one to ask) refuses every `-O exit`, so a replaced or removed host's master and its tunnel lived on.
        '-N',
        '-f',
        ...forward,
        destination(h),
      ],
      { logFd: fd, env: process.env },
    );
  } finally {
    closeSync(fd);
  }
  // With -f, ssh goes to the background once logged in and (ExitOnForwardFailure) once the tunnel is up.
  const deadline = Date.now() + 20_000;
  while (child.exitCode() === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const code = child.exitCode();
  if (code !== 0) {
    const stderr = existsSync(log) ? readFileSync(log, 'utf8') : '';
    if (/remote port forwarding failed/i.test(stderr)) {
      // Another process (the daemon, another sling) started the host's master meanwhile: use it.
      if (servePort !== null && (await masterAlive(h, paths)) && masterPort(paths, h) === servePort) return;
      throw new GtError(
        'GT_HOST_TUNNEL',
        `host ${h.name}: port ${h.tunnel_port} on its loopback is taken, so the town API cannot be tunnelled there`,
        { hint: `free the port on the host or choose another with gt host add ${h.name} … --tunnel-port N` },
      );
    }
    throw sshFailure(h, stderr || `ssh exited ${code ?? 'late'}`);
  }
  writeFileAtomic(infoFile, `${JSON.stringify({ serve_port: servePort } satisfies MasterInfo)}\n`, { mode: 0o600 });
}

/** The host's tmux server: `TMUX_TMPDIR` in the host's directory, so each host (and each town) has its own socket. */
export function sshTmuxWrap(
  h: HostConfig,
  paths: SshPaths,
): (argv: readonly string[]) => { bin: string; args: string[] } {
  const dir = `${h.dir}/tmux`;
  return (argv) => {
    const line = `mkdir -p ${shellQuote(dir)} && TMUX_TMPDIR=${shellQuote(dir)} exec ${argv.map(shellQuote).join(' ')}`;
    const tty = argv.includes('attach-session') ? ['-t'] : [];
    return { bin: 'ssh', args: [...sshOptions(h, paths), '-o', 'ControlMaster=no', ...tty, destination(h), line] };
  };
}

/** The provider of one SSH host: the same tmux client as the local one, its command lines run through ssh. */
export function sshProvider(h: HostConfig, o: SshPaths & { socket: string }): RuntimeProvider {
  return tmuxProvider({
    name: h.name,
    host: h.name,
    runtimeDir: o.runtimeDir,
    max: h.max_polecats,
    tmux: { socket: o.socket, wrap: sshTmuxWrap(h, o), timeoutMs: 20_000 },
  });
}
