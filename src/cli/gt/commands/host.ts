// gt host add|list|check|remove: the town's SSH hosts, where polecats can run (docs/hosts.md). Hosts live in
// settings/hosts.json; their keys in Gas Town's own known_hosts (first-use trust only with --accept-new).
import type { Command } from 'commander';
import { rmSync } from 'node:fs';
import { GtError, installRoot, isoNow, usageError } from '../../../kernel/index.ts';
import { runSync } from '../../../proc/index.ts';
import {
  checkHost,
  checkHostName,
  findHost,
  knownHostsFile,
  listPlacements,
  loadHosts,
  isK8sHost,
  isK8sUrl,
  parseSshUrl,
  saveHosts,
  stopMaster,
  type HostConfig,
  type HostReport,
} from '../../../providers/index.ts';
import { openTownStore, type TownContext } from '../../../town/index.ts';
import { getPolecat } from '../../../work/polecats/table.ts';
import { emit, ExitSignal } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';
import { addK8sHost, checkK8sHost, k8sAddOptions, removeK8sHost, type K8sAddOpts } from './host-k8s.ts';

interface AddOpts {
  maxPolecats: string;
  dir: string;
  acceptNew?: boolean;
  identity?: string;
  node: string;
  gtRoot?: string;
  tunnelPort: string;
}

export function registerHost(program: Command, ctx: GtCtx): void {
  const host = program
    .command('host')
    .description('SSH hosts and Kubernetes namespaces where polecats run (gt sling <bead> <rig> --host <name>)');
  const paths = (town: TownContext) => ({ settingsDir: town.paths.settingsDir, runtimeDir: town.paths.runtime });

  k8sAddOptions(host.command('add'))
    .description('add (or change) a host: log in, check it has git, tmux, node and gt, and save it')
    .argument('<name>', 'a short name (letters, digits, dashes)')
    .argument('<url>', 'ssh://user@host[:port], or k8s://<kubeconfig context>/<namespace> (docs/kubernetes.md)')
    .option('--max-polecats <n>', 'how many polecats may run there at once', '4')
    .option('--dir <path>', "directory on the host for workspaces (relative: to the login's home)", 'gastown')
    .option(
      '--accept-new',
      "trust the host key on this first connection (else it must already be in Gas Town's known_hosts)",
    )
    .option('--identity <file>', "private key to log in with (default: ssh's own configuration and agent)")
    .option('--node <path>', 'Node.js 22.13+ on the host', 'node')
    .option('--gt-root <path>', 'where Gas Town is installed on the host (default: the same path as here)')
    .option('--tunnel-port <port>', "port on the host's loopback where agents reach the town API (ssh -R)", '7717')
    .addHelpText(
      'after',
      '\nExamples:\n  gt host add build1 ssh://dev@build1.lan --accept-new\n  gt host add gpu ssh://me@10.0.0.7:2222 --max-polecats 8 --dir /srv/gastown\n  gt host add pods k8s://prod/gastown --image registry.example/agent:1 --town-url http://gastown.gastown.svc:7717',
    )
    .action(async (name: string, url: string, o: AddOpts & K8sAddOpts) => {
      checkHostName(name);
      if (isK8sUrl(url)) return addK8sHost(ctx, name, url, o);
      const where = parseSshUrl(url);
      const max = Number(o.maxPolecats);
      if (!Number.isInteger(max) || max < 1)
        throw usageError('GT_BAD_CAP', `--max-polecats must be a whole number of at least 1, not "${o.maxPolecats}"`);
      const tunnel = Number(o.tunnelPort);
      if (!Number.isInteger(tunnel) || tunnel < 1 || tunnel > 65_535)
        throw usageError('GT_BAD_PORT', `--tunnel-port must be a port number, not "${o.tunnelPort}"`);
      const town = ctx.town();
      const hosts = loadHosts(town.paths.settingsDir);
      const before = hosts.find((h) => h.name === name);
      const h: HostConfig = {
        name,
        url,
        ...where,
        max_polecats: max,
        dir: o.dir,
        identity: o.identity ?? null,
        node: o.node,
        gt_root: o.gtRoot ?? installRoot(),
        tunnel_port: tunnel,
        added_at: before?.added_at ?? isoNow(),
      };
      if (before) await stopMaster(before, paths(town)); // a changed address or key must not reuse the old connection
      const r = await checkHost(h, paths(town), { acceptNew: o.acceptNew ?? false, makeDir: true });
      if (!r.ok) {
        throw new GtError('GT_HOST_CHECK', `host ${name} was not added: ${r.problems.join('; ')}`, {
          hint:
            r.hint?.replace(`gt host check ${name} --accept-new`, `gt host add ${name} ${url} --accept-new`) ??
            'fix what it says on the host (or the options), then gt host add again',
        });
      }
      const saved = { ...h, dir: r.dir! };
      // A changed host keeps its place in the file (placement breaks ties in file order).
      saveHosts(town.paths.settingsDir, before ? hosts.map((x) => (x.name === name ? saved : x)) : [...hosts, saved]);
      emit(ctx.io, ctx.json(), {
        data: { ...saved, check: r },
        text: `${before ? 'Changed' : 'Added'} host ${name} (${url}): ${summary(r)}; up to ${max} polecat(s) in ${r.dir}.`,
      });
    });

  host
    .command('list')
    .description('the hosts, their caps and the agents placed on them')
    .addHelpText('after', '\nExample:\n  gt host list --json')
    .action(() => {
      const town = ctx.town();
      const rows = hostRows(town);
      emit(ctx.io, ctx.json(), {
        data: rows,
        text:
          rows.length === 0
            ? 'No hosts. Add one with: gt host add <name> ssh://user@host --accept-new'
            : table(
                ['HOST', 'URL', 'POLECATS', 'DIR'],
                rows.map((r) => [r.name, r.url, `${r.busy}/${r.max_polecats}`, r.dir]),
              ),
      });
    });

  host
    .command('check')
    .description('log in to each host (or one) and check ssh, git, tmux, node, gt and free disk')
    .argument('[name]', 'one host')
    .option('--accept-new', 'trust a host key not yet known (first use only)')
    .addHelpText('after', '\nExamples:\n  gt host check\n  gt host check build1 --json')
    .action(async (name: string | undefined, o: { acceptNew?: boolean }) => {
      const town = ctx.town();
      const hosts = name ? [findHost(town.paths.settingsDir, name)] : loadHosts(town.paths.settingsDir);
      const reports = await Promise.all(
        hosts.map((h) =>
          isK8sHost(h)
            ? checkK8sHost(town, h)
            : checkHost(h, paths(town), { acceptNew: o.acceptNew ?? false, makeDir: false }),
        ),
      );
      emit(ctx.io, ctx.json(), {
        data: reports,
        text:
          reports.length === 0
            ? 'No hosts to check.'
            : reports
                .map(
                  (r) =>
                    `${r.ok ? 'ok  ' : 'FAIL'} ${r.host}: ${'summary' in r ? r.summary : r.ok ? summary(r) : r.problems.join('; ')}`,
                )
                .join('\n'),
      });
      if (reports.some((r) => !r.ok)) throw new ExitSignal(1);
    });

  host
    .command('remove')
    .description('forget a host (refused while polecats with work run there); its workspaces stay on the host')
    .argument('<name>')
    .addHelpText('after', '\nExample:\n  gt host remove build1')
    .action(async (name: string) => {
      const town = ctx.town();
      const h = findHost(town.paths.settingsDir, name);
      const busy = hostRows(town).find((r) => r.name === name)?.working ?? [];
      if (busy.length > 0) {
        throw new GtError('GT_HOST_BUSY', `host ${name} still runs polecats with work: ${busy.join(', ')}`, {
          hint: 'let them finish (gt done), or move their work with gt sling <bead> <rig> --force, then remove the host',
        });
      }
      if (isK8sHost(h)) return removeK8sHost(ctx, h);
      await stopMaster(h, paths(town));
      saveHosts(
        town.paths.settingsDir,
        loadHosts(town.paths.settingsDir).filter((x) => x.name !== name),
      );
      runSync(
        'ssh-keygen',
        ['-R', h.port === 22 ? h.hostname : `[${h.hostname}]:${h.port}`, '-f', knownHostsFile(town.paths.settingsDir)],
        { timeoutMs: 10_000 },
      );
      rmSync(`${knownHostsFile(town.paths.settingsDir)}.old`, { force: true });
      emit(ctx.io, ctx.json(), {
        data: { removed: name },
        text: `Removed host ${name}; its workspaces in ${h.dir} stay on the host.`,
      });
    });
}

interface HostRow extends HostConfig {
  busy: number;
  placed: string[];
  working: string[];
}

function hostRows(town: TownContext): HostRow[] {
  const store = openTownStore(town);
  try {
    return loadHosts(town.paths.settingsDir).map((h) => {
      const placed = listPlacements(store, h.name).map((p) => p.address);
      const working = placed.filter((a) => {
        const [rig, name] = a.split('/');
        const p = rig && name ? getPolecat(store, rig, name) : undefined;
        return p !== undefined && (p.bead !== null || p.state === 'working');
      });
      return { ...h, busy: working.length, placed, working };
    });
  } finally {
    store.close();
  }
}

function summary(r: HostReport): string {
  return `${r.git}, ${r.tmux}, node ${r.node}, gt found, ${r.disk_free_mb ?? '?'} MB free, ${r.latency_ms} ms a call`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}
