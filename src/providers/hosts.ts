// The town's SSH hosts: `settings/hosts.json` (gt host add|remove write it), and the Gas Town-owned known_hosts
// beside it that every connection verifies host keys against (docs/hosts.md).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GtError, usageError, writeFileAtomic } from '../kernel/index.ts';
import type { K8sSettings } from './k8s-settings.ts';

export interface HostConfig {
  name: string;
  /** As given: `ssh://user@host[:port]`. */
  url: string;
  user: string | null;
  hostname: string;
  port: number;
  /** Cap on this host's agents. */
  max_polecats: number;
  /** Absolute directory on the host holding workspaces, shims, tokens and tmux's socket. */
  dir: string;
  /** Private key to log in with (else ssh's own configuration and agent). */
  identity: string | null;
  /** Node on the host, and this installation's root there (gt runs as `<node> <root>/bin/gt.js`). */
  node: string;
  gt_root: string;
  /** The port on the host's loopback where the town API is reached (the `ssh -R` tunnel). */
  tunnel_port: number;
  added_at: string;
  /**
   * `ssh` (absent: written before Kubernetes hosts existed) or `k8s`: a namespace of a cluster, each polecat a pod
   * (docs/kubernetes.md); then `dir` is the workspace root in the pod and the ssh fields are unused.
   */
  kind?: 'ssh' | 'k8s';
  k8s?: K8sSettings;
}

export function isK8sHost(h: HostConfig): h is HostConfig & { kind: 'k8s'; k8s: K8sSettings } {
  return h.kind === 'k8s' && h.k8s !== undefined;
}

const NAME = /^[a-z0-9][a-z0-9-]{0,30}$/;

export function hostsFile(settingsDir: string): string {
  return join(settingsDir, 'hosts.json');
}

/** Gas Town's own known_hosts: host keys are checked against it, never the user's ~/.ssh/known_hosts. */
export function knownHostsFile(settingsDir: string): string {
  return join(settingsDir, 'hosts', 'known_hosts');
}

export function loadHosts(settingsDir: string): HostConfig[] {
  const file = hostsFile(settingsDir);
  if (!existsSync(file)) return [];
  const data = JSON.parse(readFileSync(file, 'utf8')) as { hosts?: Record<string, Omit<HostConfig, 'name'>> };
  return Object.entries(data.hosts ?? {}).map(([name, h]) => ({ ...h, name }));
}

export function findHost(settingsDir: string, name: string): HostConfig {
  const h = loadHosts(settingsDir).find((x) => x.name === name);
  if (!h) {
    throw new GtError('GT_NO_HOST', `no host named "${name}" in this town`, {
      kind: 'usage',
      hint: 'gt host list shows the hosts; gt host add <name> ssh://user@host adds one',
    });
  }
  return h;
}

/** Writes the hosts; the file's other keys (`placement`, written by hand) are kept. */
export function saveHosts(settingsDir: string, hosts: readonly HostConfig[]): void {
  mkdirSync(settingsDir, { recursive: true });
  const file = hostsFile(settingsDir);
  const kept = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const out: Record<string, Omit<HostConfig, 'name'>> = {};
  for (const { name, ...rest } of hosts) out[name] = rest;
  writeFileAtomic(file, `${JSON.stringify({ ...kept, hosts: out }, null, 2)}\n`);
}

export function checkHostName(name: string): void {
  if (name === 'local')
    throw usageError('GT_BAD_HOST_NAME', 'host name "local" is taken: it means this machine', 'choose another name');
  if (!NAME.test(name))
    throw usageError(
      'GT_BAD_HOST_NAME',
      `host name "${name}" is not valid`,
      'use lower-case letters, digits and dashes, starting with a letter or digit (at most 31)',
    );
}

/** `ssh://[user@]host[:port]` → its parts; anything else is refused. */
export function parseSshUrl(url: string): { user: string | null; hostname: string; port: number } {
  const m = /^ssh:\/\/(?:([A-Za-z0-9._-]+)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?\/?$/.exec(url);
  const port = m?.[3] === undefined ? 22 : Number(m[3]);
  if (!m || port < 1 || port > 65535) {
    throw usageError(
      'GT_BAD_HOST_URL',
      `"${url}" is not an ssh address`,
      'write it as ssh://user@host or ssh://user@host:port',
    );
  }
  return { user: m[1] ?? null, hostname: m[2]!.replace(/^\[|\]$/g, ''), port };
}
