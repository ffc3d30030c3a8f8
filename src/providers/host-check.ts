// What a host has for running polecats: one login (the master connection) and one command that reports git, tmux,
// node, Gas Town, the agent CLIs asked for, and free disk. `gt host add|check` and `gt doctor` read the same report.
import { GtError, messageOf } from '../kernel/index.ts';
import { shellQuote } from '../tmux/index.ts';
import type { HostConfig } from './hosts.ts';
import { ensureMaster, sshExec, type SshPaths } from './ssh.ts';

export interface HostReport {
  host: string;
  url: string;
  ok: boolean;
  /** Round trip of one command over the shared connection, ms. */
  latency_ms: number | null;
  dir: string | null;
  git: string | null;
  tmux: string | null;
  node: string | null;
  gt: boolean;
  disk_free_mb: number | null;
  /** Each agent CLI asked about: where it is on the agent's PATH there, or null. */
  programs: Record<string, string | null>;
  problems: string[];
  /** What to do about the first problem, when known. */
  hint: string | null;
}

/** Below this, a host is short of disk for workspaces. */
export const MIN_FREE_MB = 512;

/** The PATH an agent has on a host (work/sessions/remote.ts gives it the same). */
export const hostAgentPath = (h: HostConfig): string => `${h.dir}/bin:/usr/local/bin:/usr/bin:/bin`;

export async function checkHost(
  h: HostConfig,
  paths: SshPaths,
  o: { acceptNew?: boolean; makeDir?: boolean; programs?: readonly string[] } = {},
): Promise<HostReport> {
  const r: HostReport = {
    host: h.name,
    url: h.url,
    ok: false,
    latency_ms: null,
    dir: null,
    git: null,
    tmux: null,
    node: null,
    gt: false,
    disk_free_mb: null,
    programs: {},
    problems: [],
    hint: null,
  };
  const q = shellQuote;
  const programs = o.programs ?? [];
  try {
    await ensureMaster(h, paths, null, { acceptNew: o.acceptNew ?? false });
    const started = Date.now();
    await sshExec(h, paths, 'true');
    r.latency_ms = Date.now() - started;
    const script = [
      o.makeDir ? `mkdir -p ${q(h.dir)}` : ':',
      `cd ${q(h.dir)} 2>/dev/null && echo "dir=$(pwd)"`,
      'echo "git=$(git --version 2>/dev/null)"',
      'echo "tmux=$(tmux -V 2>/dev/null)"',
      `echo "node=$(${q(h.node)} --version 2>/dev/null)"`,
      `test -f ${q(`${h.gt_root}/bin/gt.js`)} && echo gt=yes`,
      `echo "df=$(df -Pk ${q(h.dir)} 2>/dev/null | awk 'NR==2 {print $4}')"`,
      ...programs.map((p, i) => `echo "program${i}=$(PATH=${q(hostAgentPath(h))} command -v ${q(p)} 2>/dev/null)"`),
    ].join('; ');
    const out = await sshExec(h, paths, `${script}; true`, { acceptNew: o.acceptNew ?? false });
    const kv = new Map(out.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).trim()]));
    r.dir = kv.get('dir') || null;
    r.git = kv.get('git') || null;
    r.tmux = kv.get('tmux') || null;
    r.node = kv.get('node') || null;
    r.gt = kv.get('gt') === 'yes';
    r.disk_free_mb = kv.get('df') ? Math.floor(Number(kv.get('df')) / 1024) : null;
    programs.forEach((p, i) => (r.programs[p] = kv.get(`program${i}`) || null));
    for (const line of hostLines(h, r)) {
      if (line.status === 'ok') continue;
      r.problems.push(line.detail);
      r.hint ??= line.hint ?? null;
    }
  } catch (e) {
    r.problems.push(messageOf(e));
    r.hint = e instanceof GtError && e.hint ? e.hint : null;
  }
  r.ok = r.problems.length === 0;
  return r;
}

/** One line per thing a host needs, for gt doctor: what was found, and what to do when it is missing. */
export interface HostLine {
  item: string;
  status: 'ok' | 'warn' | 'error';
  detail: string;
  hint?: string;
}

export function hostLines(h: HostConfig, r: HostReport): HostLine[] {
  const on = `on host ${h.name}`;
  if (r.latency_ms === null) {
    return [
      {
        item: 'ssh',
        status: 'error',
        detail: r.problems[0] ?? `host ${h.name} did not answer`,
        hint: r.hint ?? `gt host check ${h.name} says what fails`,
      },
    ];
  }
  const out: HostLine[] = [{ item: 'ssh', status: 'ok', detail: `logged in to ${h.url}; ${r.latency_ms} ms a call` }];
  const tool = (item: string, found: string | null, missing: string, hint: string): void =>
    void out.push(
      found ? { item, status: 'ok', detail: found } : { item, status: 'error', detail: `${missing} ${on}`, hint },
    );
  tool(
    'dir',
    r.dir,
    `directory ${h.dir} is missing`,
    `create it there, or give another with gt host add ${h.name} … --dir PATH`,
  );
  tool('git', r.git, 'git is not installed', `install git ${on} (e.g. apt-get install git)`);
  tool('tmux', r.tmux, 'tmux is not installed', `install tmux 3.0 or newer ${on} (e.g. apt-get install tmux)`);
  const [, major = '0', minor = '0'] = /^v(\d+)\.(\d+)/.exec(r.node ?? '') ?? [];
  if (!r.node)
    out.push({
      item: 'node',
      status: 'error',
      detail: `${h.node} does not run ${on}`,
      hint: `install Node.js 22.13+ there, or give its path with gt host add ${h.name} … --node PATH`,
    });
  else if (Number(major) < 22 || (Number(major) === 22 && Number(minor) < 13))
    out.push({
      item: 'node',
      status: 'error',
      detail: `${h.node} is ${r.node} ${on}; Node.js 22.13+ is needed`,
      hint: `install a newer Node.js there, or give another with gt host add ${h.name} … --node PATH`,
    });
  else out.push({ item: 'node', status: 'ok', detail: `node ${r.node}` });
  out.push(
    r.gt
      ? { item: 'gt', status: 'ok', detail: `Gas Town at ${h.gt_root}` }
      : {
          item: 'gt',
          status: 'error',
          detail: `Gas Town is not at ${h.gt_root} ${on}`,
          hint: `install this Gas Town there, or give its path with gt host add ${h.name} … --gt-root PATH`,
        },
  );
  for (const [program, where] of Object.entries(r.programs)) {
    out.push(
      where
        ? { item: `runtime.${program}`, status: 'ok', detail: `${program} at ${where}` }
        : {
            item: `runtime.${program}`,
            status: 'error',
            detail: `the polecats' agent CLI ${program} is not on the agent's PATH ${on} (${hostAgentPath(h)})`,
            hint: `install ${program} there (or link it into ${h.dir}/bin)`,
          },
    );
  }
  if (r.disk_free_mb === null)
    out.push({ item: 'disk', status: 'warn', detail: `free disk in ${h.dir} unknown ${on}`, hint: 'check df there' });
  else if (r.disk_free_mb < MIN_FREE_MB)
    out.push({
      item: 'disk',
      status: 'error',
      detail: `only ${r.disk_free_mb} MB free in ${r.dir ?? h.dir} ${on}`,
      hint: `free space there (old workspaces under ${h.dir}/work/<rig>/.old are kept for you to remove once their work has landed)`,
    });
  else out.push({ item: 'disk', status: 'ok', detail: `${r.disk_free_mb} MB free in ${r.dir ?? h.dir}` });
  return out;
}
