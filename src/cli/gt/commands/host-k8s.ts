// gt host add <name> k8s://<context>/<namespace>: a Kubernetes namespace as a host, each polecat a pod
// (docs/kubernetes.md). Its options, the check that the cluster answers and lets this login do what the provider does
// (the same checks as gt doctor's), and its line in gt host check.
import type { Command } from 'commander';
import { GtError, isoNow, usageError } from '../../../kernel/index.ts';
import {
  isK8sHost,
  k8sChecks,
  K8S_GT_ROOT,
  loadHosts,
  saveHosts,
  k8sSettings,
  parseK8sUrl,
  type HostConfig,
  type K8sCheck,
  type K8sSettings,
} from '../../../providers/index.ts';
import { townSocket, type TownContext } from '../../../town/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

export interface K8sAddOpts {
  maxPolecats: string;
  kubeconfig?: string;
  image?: string;
  townUrl?: string;
  workspacePvc?: string;
  serviceAccount?: string;
  runAsUser?: string;
  credentials?: string[];
  secretEnv?: string[];
  startTimeout?: string;
  node: string;
  gtRoot?: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The options only Kubernetes hosts read (on the same `gt host add`). */
export function k8sAddOptions(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <file>', 'k8s: the kubeconfig (default $KUBECONFIG, else ~/.kube/config)')
    .option('--image <ref>', 'k8s: the agent image (deploy/Dockerfile)')
    .option('--town-url <url>', 'k8s: where pods reach the town API (a Service or ingress; docs/kubernetes.md)')
    .option('--workspace-pvc <claim>', 'k8s: a PersistentVolumeClaim for workspaces (default: an emptyDir per pod)')
    .option('--service-account <name>', "k8s: the pods' service account (default: none mounted)")
    .option('--run-as-user <uid>', 'k8s: the non-root user id agents run as (default 1000)')
    .option('--credentials <secret:dir>', "k8s: copy a Secret's files into $HOME/<dir> (repeatable)", collect)
    .option('--secret-env <NAME=secret:key>', 'k8s: a Secret key as an environment variable (repeatable)', collect)
    .option('--start-timeout <s>', 'k8s: how long a start waits for its pod (default 300)');
}

function whole(v: string | undefined, what: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw usageError('GT_BAD_OPTION', `${what} must be a whole number of at least ${min}, not "${v}"`);
  return n;
}

/** The host as it will be saved: earlier settings of the same name kept unless an option changes them. */
export function k8sHostConfig(
  name: string,
  url: string,
  o: K8sAddOpts,
  before: HostConfig | undefined,
): HostConfig & { k8s: K8sSettings } {
  const where = parseK8sUrl(url);
  const old = before && isK8sHost(before) ? before.k8s : undefined;
  const credentials = o.credentials?.map((c) => {
    const m = /^([a-z0-9][-a-z0-9.]*):(.+)$/.exec(c);
    if (!m || m[2]!.startsWith('/') || m[2]!.split('/').includes('..'))
      throw usageError(
        'GT_BAD_OPTION',
        `--credentials "${c}" is not <secret>:<directory in $HOME>`,
        'for example --credentials claude-login:.claude',
      );
    return { secret: m[1]!, path: m[2]! };
  });
  const secretEnv = o.secretEnv?.map((c) => {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=([a-z0-9][-a-z0-9.]*):(.+)$/.exec(c);
    if (!m)
      throw usageError(
        'GT_BAD_OPTION',
        `--secret-env "${c}" is not NAME=<secret>:<key>`,
        'for example --secret-env ANTHROPIC_API_KEY=anthropic:api-key',
      );
    return { name: m[1]!, secret: m[2]!, key: m[3]! };
  });
  const max = whole(o.maxPolecats, '--max-polecats', 1)!;
  const runAs = whole(o.runAsUser, '--run-as-user', 1);
  const timeout = whole(o.startTimeout, '--start-timeout', 10);
  if (o.townUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(o.townUrl))
    throw usageError('GT_BAD_OPTION', `--town-url "${o.townUrl}" is not an http(s) address`);
  const k8s = k8sSettings({
    ...(old ?? {}),
    ...where,
    ...(o.kubeconfig !== undefined ? { kubeconfig: o.kubeconfig } : {}),
    ...(o.image !== undefined ? { image: o.image } : {}),
    ...(o.townUrl !== undefined ? { town_url: o.townUrl } : {}),
    ...(o.workspacePvc !== undefined ? { workspace_pvc: o.workspacePvc } : {}),
    ...(o.serviceAccount !== undefined ? { service_account: o.serviceAccount } : {}),
    ...(runAs !== undefined ? { run_as_user: runAs } : {}),
    ...(credentials ? { credentials } : {}),
    ...(secretEnv ? { secret_env: secretEnv } : {}),
    ...(timeout !== undefined ? { start_timeout_s: timeout } : {}),
  });
  return {
    name,
    url,
    kind: 'k8s',
    user: null,
    hostname: where.context,
    port: 0,
    max_polecats: max,
    dir: '/workspace',
    identity: null,
    node: o.node,
    gt_root: o.gtRoot ?? before?.gt_root ?? K8S_GT_ROOT,
    tunnel_port: 0,
    added_at: before?.added_at ?? isoNow(),
    k8s,
  };
}

/** The host's checks as a host report: ok when none is an error. */
export async function checkK8sHost(town: TownContext, h: HostConfig & { k8s: K8sSettings }) {
  const checks = await k8sChecks(h, townSocket(town));
  const errors = checks.filter((c) => c.status === 'error');
  return {
    host: h.name,
    url: h.url,
    ok: errors.length === 0,
    kind: 'k8s' as const,
    checks,
    problems: errors.map((c) => c.detail),
    hint: errors.find((c) => c.hint)?.hint ?? null,
    summary: k8sSummary(checks),
  };
}

function k8sSummary(checks: readonly K8sCheck[]): string {
  return checks.map((c) => `${c.status === 'ok' ? '' : `${c.status}: `}${c.detail}`).join('; ');
}

/** Add (or change) a Kubernetes host; refused when the cluster does not answer or the login lacks a permission. */
export async function addK8sHost(ctx: GtCtx, name: string, url: string, o: K8sAddOpts): Promise<void> {
  const town = ctx.town();
  const hosts = loadHosts(town.paths.settingsDir);
  const before = hosts.find((h) => h.name === name);
  const h = k8sHostConfig(name, url, o, before);
  const report = await checkK8sHost(town, h);
  if (!report.ok) {
    throw new GtError('GT_HOST_CHECK', `host ${name} was not added: ${report.problems.join('; ')}`, {
      hint:
        report.hint ??
        'fix what it says (the cluster, the RBAC in deploy/k8s/rbac.yaml, the secrets), then gt host add again',
    });
  }
  saveHosts(town.paths.settingsDir, [...hosts.filter((x) => x.name !== name), h]);
  emit(ctx.io, ctx.json(), {
    data: { ...h, check: report },
    text: `${before ? 'Changed' : 'Added'} host ${name} (${url}): ${report.summary}; up to ${h.max_polecats} polecat(s), one pod each.`,
  });
}

/** Forget a Kubernetes host (the caller checked no polecat with work runs there); its pods are left as they are. */
export function removeK8sHost(ctx: GtCtx, h: HostConfig & { k8s: K8sSettings }): void {
  const town = ctx.town();
  saveHosts(
    town.paths.settingsDir,
    loadHosts(town.paths.settingsDir).filter((x) => x.name !== h.name),
  );
  emit(ctx.io, ctx.json(), {
    data: { removed: h.name },
    text: `Removed host ${h.name}; pods kept for inspection stay in ${h.k8s.context}/${h.k8s.namespace}.`,
  });
}
