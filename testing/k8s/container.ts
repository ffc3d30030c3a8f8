// A container as a local process tree: its own mount, UTS and PID namespaces (`unshare`), so the pod sees its own
// /tmp, $HOME and volumes bind-mounted at their mountPaths, its hostname is the pod name, its command is PID 1 and
// every process it leaves behind (a daemonized tmux server too) dies with it, as in a real container. Exec joins
// the same namespaces (`nsenter`) with the container's env, user and working directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerSpec, ImageSpec } from './types.ts';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function tool(name: string): string {
  for (const d of ['/usr/bin', '/bin', '/usr/sbin', '/sbin']) if (existsSync(join(d, name))) return join(d, name);
  return name;
}
const T = {
  unshare: tool('unshare'),
  nsenter: tool('nsenter'),
  mount: tool('mount'),
  hostname: tool('hostname'),
  mkdir: tool('mkdir'),
  setpriv: tool('setpriv'),
  script: tool('script'),
};

export const q = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

/** A bind mount: `source` is a host path (absolute) or a path relative to the pod directory. */
export interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

/** Everything needed to start (and later exec into) one container. */
export interface ContainerPlan {
  podDir: string;
  hostname: string;
  spec: ContainerSpec;
  image: ImageSpec;
  argv: string[];
  env: Record<string, string>;
  workingDir: string;
  uid: number;
  gid: number;
  home: string;
  mounts: Mount[];
}

/** A started container: `pid` is the namespace holder (the outer shell); PID 1 of the pod is its child. */
export interface Running {
  proc: ChildProcess;
  plan: ContainerPlan;
  startError: string;
  /** Written just before the command starts (after every mount): until then the container is still being created. */
  started: string;
}

/** The shell that runs as PID 1 of the pod's new PID namespace, sets the view up, then becomes the command. */
function innerScript(plan: ContainerPlan, startError: string, started: string): string {
  const lines = [
    `exec 9>${q(startError)} 8>${q(started)}`,
    `cd ${q(plan.podDir)} || exit 128`,
    `${T.mount} -t proc proc /proc || { echo 'mounting /proc failed' >&9; exit 128; }`,
    `${T.hostname} ${q(plan.hostname)}`,
  ];
  // Host sources first (a later mount over /tmp would hide any under /tmp), then /tmp, the home, the volumes.
  const mounts = [
    { source: 'tmp', target: '/tmp', readOnly: false },
    { source: 'home', target: plan.home, readOnly: false },
    ...[...plan.mounts].sort((a, b) => a.target.split('/').length - b.target.split('/').length),
  ];
  mounts.forEach((m, i) => {
    if (!m.source.startsWith('/')) return;
    lines.push(`${T.mkdir} -p ext/${i} && ${T.mount} --bind ${q(m.source)} ext/${i} || exit 128`);
    m.source = `ext/${i}`;
  });
  for (const m of mounts) {
    const fail = `{ echo ${q(`mounting ${m.source} at ${m.target} failed`)} >&9; exit 128; }`;
    lines.push(`${T.mkdir} -p ${q(m.target)} && ${T.mount} --bind ${q(m.source)} ${q(m.target)} || ${fail}`);
    if (m.readOnly) lines.push(`${T.mount} -o remount,bind,ro ${q(m.target)} || ${fail}`);
  }
  const wd = plan.workingDir;
  lines.push(
    `${T.mkdir} -p ${q(wd)} 2>/dev/null; cd ${q(wd)} || { echo ${q(`chdir to cwd ("${wd}") set in config.json failed: no such file or directory`)} >&9; exit 128; }`,
    `command -v "$1" >/dev/null 2>&1 || { printf 'exec: "%s": executable file not found in $PATH' "$1" >&9; exit 128; }`,
    `exec 9>&-; echo started >&8; exec 8>&-`,
    `exec ${privDrop(plan)}"$@"`,
  );
  return lines.join('\n') + '\n';
}

/** setpriv for the container's user and securityContext (no new privileges, dropped capabilities), or nothing. */
function privDrop(plan: ContainerPlan): string {
  const sc = plan.spec.securityContext ?? {};
  const flags = [
    ...(plan.uid !== 0 || plan.gid !== 0 ? [`--reuid=${plan.uid}`, `--regid=${plan.gid}`, '--clear-groups'] : []),
    ...(sc.allowPrivilegeEscalation === false ? ['--no-new-privs'] : []),
    ...(sc.capabilities?.drop?.some((c) => c.toUpperCase() === 'ALL')
      ? ['--bounding-set=-all', '--inh-caps=-all']
      : []),
  ];
  return flags.length ? `${T.setpriv} ${flags.join(' ')} -- ` : '';
}

/** Prepares the pod-private directories the container sees as /tmp and $HOME. */
export function preparePodDir(podDir: string, uid: number, gid: number): void {
  for (const d of ['tmp', 'home', 'volumes']) mkdirSync(join(podDir, d), { recursive: true });
  chmodSync(join(podDir, 'tmp'), 0o1777);
  chownSync(join(podDir, 'home'), uid, gid);
}

/** Starts the container; its stdout and stderr go to `log` (the pod log). */
export function startContainer(plan: ContainerPlan, log: string): Running {
  const name = plan.spec.name;
  const inner = join(plan.podDir, `${name}.start.sh`);
  const startError = join(plan.podDir, `${name}.start-error`);
  const started = join(plan.podDir, `${name}.started`);
  writeFileSync(inner, innerScript(plan, startError, started), { mode: 0o700 });
  const out = openSync(log, 'a');
  const proc = spawn(
    T.unshare,
    [
      '--mount',
      '--uts',
      '--pid',
      '--propagation',
      'private',
      '--',
      '/bin/sh',
      '-c',
      '/bin/sh "$0" "$@"; exit $?',
      inner,
      ...plan.argv,
    ],
    { env: plan.env, stdio: ['ignore', out, out], detached: true },
  );
  closeSync(out);
  return { proc, plan, startError, started };
}

/** PID 1 of the pod (host pid), once the namespace holder has started it. */
export function podInit(r: Running): number | undefined {
  const pid = r.proc.pid;
  if (pid === undefined) return undefined;
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return kids[0] ? Number(kids[0]) : undefined;
  } catch {
    return undefined;
  }
}

export function hasStarted(r: Running): boolean {
  try {
    return readFileSync(r.started, 'utf8') !== '';
  } catch {
    return false;
  }
}

export function readStartError(r: Running): string {
  try {
    return readFileSync(r.startError, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * Runs `argv` inside the running container: its namespaces, env, user and working directory (a TTY through
 * `script` when asked). The child's stdio are pipes.
 */
export function execIn(r: Running, argv: string[], tty: boolean): ChildProcess {
  const pid = r.proc.pid!;
  const plan = r.plan;
  const run = tty ? [T.script, '-qfec', argv.map(q).join(' '), '/dev/null'] : argv;
  const body = [
    'cd "$0" 2>/dev/null || cd /',
    `command -v "$1" >/dev/null 2>&1 || { printf 'exec: "%s": executable file not found in $PATH\\n' "$1" >&2; exit 127; }`,
    `exec ${privDrop(plan)}"$@"`,
  ].join('\n');
  return spawn(
    T.nsenter,
    [
      `--mount=/proc/${pid}/ns/mnt`,
      `--uts=/proc/${pid}/ns/uts`,
      `--pid=/proc/${pid}/ns/pid_for_children`,
      '--',
      '/bin/sh',
      '-c',
      body,
      plan.workingDir,
      ...run,
    ],
    { env: { ...plan.env, ...(tty ? { TERM: plan.env.TERM ?? 'xterm' } : {}) }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
}
