// A polecat's pod, as data: the manifest the k8s provider sends (one pod per polecat, restartPolicy Never, the agent
// inside tmux, the container kept alive after the agent exits), the script its container runs, and what a pod's
// status says about the agent in it. Pure functions; the provider (k8s.ts) does the calls.
import { posix } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { execScript, shellQuote } from '../tmux/index.ts';
import type { K8sSettings } from './k8s-settings.ts';

export const APP_LABEL = 'app.kubernetes.io/name';
export const APP = 'gastown-agent';
export const L = {
  town: 'gastown.dev/town',
  rig: 'gastown.dev/rig',
  polecat: 'gastown.dev/polecat',
  bead: 'gastown.dev/bead',
  session: 'gastown.dev/session',
} as const;
export const ADDRESS_ANNOTATION = 'gastown.dev/address';
export const SESSION_ANNOTATION = 'gastown.dev/session';

/** Fixed paths in the pod. */
export const POD_HOME = '/home/agent';
export const TOKEN_DIR = '/var/run/gastown/token';
const CRED_DIR = '/var/run/gastown/credentials';

export interface PodPlan {
  /** The town's id (its tmux socket name): every pod of the town carries it as a label. */
  town: string;
  /** tmux's socket name in the pod (the town's, as on SSH hosts). */
  socket: string;
  session: string;
  address: string;
  rig: string;
  polecat: string;
  bead: string | null;
  /** The workspace in the pod; cloned from the town there unless it holds a clone already (a PVC). */
  workdir: string;
  /** The workspace volume's mount point (workdir is inside it). */
  workspaceRoot: string;
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
  unsetEnv: readonly string[];
  width: number;
  height: number;
  /** The Secret holding the agent's town API token (key `token`). */
  tokenSecret: string;
  townUrl: string;
  /** How the image runs gt: node and this package's root there. */
  node: string;
  gtRoot: string;
  settings: K8sSettings;
}

/** A label value from any text: allowed characters only, at most 63, starting and ending alphanumeric. */
export function labelValue(text: string): string {
  return text
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

/**
 * The pod of a town's session: DNS-1123, fixed per town and session (so attach needs no lookup); a failed pod stays
 * for inspection until the session's next start replaces it.
 */
export function podName(town: string, session: string): string {
  return `${town}-${session}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 57)
    .replace(/^-+|-+$/g, '');
}

/** The Secret holding the agent's town API token. */
export function tokenSecretName(town: string, session: string): string {
  return `${podName(town, session)}-token`;
}

/** The selector of every agent pod of a town (one list, one watch). */
export function townSelector(town: string): string {
  return `${APP_LABEL}=${APP},${L.town}=${labelValue(town)}`;
}

/** The tmux command line (argv) for the pod: the town's socket, no user config. */
export function tmuxArgv(socket: string, args: readonly string[]): string[] {
  return ['tmux', '-u', '-L', socket, '-f', '/dev/null', ...args];
}

/** What the container runs: credentials into $HOME, the workspace, the agent in tmux, then stay up. */
export function entryScript(p: PodPlan): string {
  const q = shellQuote;
  const gt = `${q(p.node)} ${q(`${p.gtRoot}/bin/gt.js`)}`;
  const shim = (tool: string) =>
    `printf '#!/bin/sh\\nexec %s %s "$@"\\n' ${q(q(p.node))} ${q(q(`${p.gtRoot}/bin/${tool}.js`))} > "$HOME/.gastown/bin/${tool}" && chmod 755 "$HOME/.gastown/bin/${tool}"`;
  const tmux = (args: readonly string[]) => tmuxArgv(p.socket, args).map(q).join(' ');
  const pane = execScript(p.argv, p.env, p.unsetEnv);
  return [
    'set -e',
    `trap ${q(`${tmux(['kill-server'])} 2>/dev/null; exit 0`)} TERM INT`,
    'mkdir -p "$HOME/.gastown/bin" "$TMUX_TMPDIR"',
    shim('gt'),
    shim('bd'),
    'export PATH="$HOME/.gastown/bin:$PATH"',
    ...p.settings.credentials.map(
      (c, i) => `mkdir -p "$HOME"/${q(c.path)} && cp -rL ${CRED_DIR}/${i}/. "$HOME"/${q(c.path)}/`,
    ),
    // Resume: the clone is of the polecat's branch as last pushed to the town (gt workspace clone).
    `if [ ! -d ${q(`${p.workdir}/.git`)} ]; then mkdir -p ${q(posix.dirname(p.workdir))} && ${gt} workspace clone ${q(p.workdir)} >/dev/null; fi`,
    `cd ${q(p.workdir)}`,
    tmux([
      'new-session',
      '-d',
      '-s',
      p.session,
      '-c',
      p.workdir,
      '-x',
      String(p.width),
      '-y',
      String(p.height),
      '--',
      '/bin/sh',
      '-c',
      pane,
    ]),
    `echo "gastown: ${p.address} started in tmux session ${p.session}"`,
    // Kept alive after the agent exits, so its workspace and files can still be read (and peeked at by exec).
    'while :; do sleep 3600 & wait $! || true; done',
  ].join('\n');
}

/** The pod for a plan. `name` from podName. */
export function podManifest(p: PodPlan, name: string): V1Pod {
  const s = p.settings;
  const hasSession = tmuxArgv(p.socket, ['has-session', '-t', `=${p.session}`]);
  const labels: Record<string, string> = {
    [APP_LABEL]: APP,
    'app.kubernetes.io/managed-by': 'gastown',
    [L.town]: labelValue(p.town),
    [L.rig]: labelValue(p.rig),
    [L.polecat]: labelValue(p.polecat),
    [L.session]: labelValue(p.session),
    ...(p.bead ? { [L.bead]: labelValue(p.bead) } : {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: s.namespace,
      labels,
      annotations: { [ADDRESS_ANNOTATION]: p.address, [SESSION_ANNOTATION]: p.session },
    },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      ...(s.service_account ? { serviceAccountName: s.service_account } : {}),
      ...(Object.keys(s.node_selector).length ? { nodeSelector: s.node_selector } : {}),
      ...(s.tolerations.length ? { tolerations: s.tolerations } : {}),
      securityContext: {
        runAsNonRoot: true,
        runAsUser: s.run_as_user,
        runAsGroup: s.run_as_user,
        fsGroup: s.run_as_user,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: 'agent',
          image: s.image,
          imagePullPolicy: s.image_pull_policy,
          command: ['/bin/sh', '-c', entryScript(p)],
          workingDir: p.workspaceRoot,
          env: [
            { name: 'HOME', value: POD_HOME },
            { name: 'TMUX_TMPDIR', value: `${POD_HOME}/.tmux` },
            { name: 'GT_TOWN_URL', value: p.townUrl },
            { name: 'GT_TOWN_TOKEN_FILE', value: `${TOKEN_DIR}/token` },
            ...s.secret_env.map((e) => ({
              name: e.name,
              valueFrom: { secretKeyRef: { name: e.secret, key: e.key } },
            })),
          ],
          resources: { requests: { ...s.resources.requests }, limits: { ...s.resources.limits } },
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          volumeMounts: [
            { name: 'workspace', mountPath: p.workspaceRoot },
            { name: 'home', mountPath: POD_HOME },
            { name: 'town-token', mountPath: TOKEN_DIR, readOnly: true },
            ...s.credentials.map((_, i) => ({
              name: `credentials-${i}`,
              mountPath: `${CRED_DIR}/${i}`,
              readOnly: true,
            })),
          ],
          // Started once the agent's tmux session is up (the clone done). No readiness probe: between the startup
          // probe passing and a first readiness result the pod reads as not ready, which would look like an agent
          // that has ended; an ended agent is seen through exec (its session gone) instead.
          startupProbe: {
            exec: { command: hasSession },
            periodSeconds: 1,
            failureThreshold: Math.max(60, s.start_timeout_s),
          },
        },
      ],
      volumes: [
        s.workspace_pvc
          ? { name: 'workspace', persistentVolumeClaim: { claimName: s.workspace_pvc } }
          : { name: 'workspace', emptyDir: {} },
        { name: 'home', emptyDir: {} },
        { name: 'town-token', secret: { secretName: p.tokenSecret, defaultMode: 0o444 } },
        ...s.credentials.map((c, i) => ({
          name: `credentials-${i}`,
          secret: { secretName: c.secret, defaultMode: 0o444 },
        })),
      ],
    },
  };
}

/** What a pod's status says about the agent in it. */
export type PodState =
  | { kind: 'pending'; note: string }
  | { kind: 'unschedulable'; note: string }
  | { kind: 'image'; note: string }
  | { kind: 'starting'; note: string }
  | { kind: 'running' }
  | { kind: 'exited'; note: string }
  | { kind: 'failed'; note: string };

export function podState(pod: V1Pod): PodState {
  const st = pod.status;
  const c = st?.containerStatuses?.find((x) => x.name === 'agent');
  const phase = st?.phase ?? 'Pending';
  if (pod.metadata?.deletionTimestamp) return { kind: 'failed', note: 'pod is being deleted' };
  if (phase === 'Failed' || phase === 'Succeeded' || phase === 'Unknown') {
    const term = c?.state?.terminated;
    const why = st?.reason ?? term?.reason ?? phase;
    const said = st?.message ?? term?.message ?? (term ? `exit code ${term.exitCode}` : '');
    if (phase === 'Unknown') return { kind: 'failed', note: `node lost: ${said || 'the pod status is Unknown'}` };
    return { kind: 'failed', note: `${why}${said ? `: ${oneLine(said)}` : ''}` };
  }
  const waiting = c?.state?.waiting;
  if (
    waiting &&
    /ErrImagePull|ImagePullBackOff|InvalidImageName|ErrImageNeverPull|CreateContainerConfigError|CreateContainerError/.test(
      waiting.reason ?? '',
    )
  )
    return { kind: 'image', note: `${waiting.reason}${waiting.message ? `: ${oneLine(waiting.message)}` : ''}` };
  if (phase === 'Pending') {
    const sched = st?.conditions?.find((x) => x.type === 'PodScheduled');
    if (sched?.status === 'False' && sched.reason === 'Unschedulable')
      return { kind: 'unschedulable', note: `Unschedulable${sched.message ? `: ${oneLine(sched.message)}` : ''}` };
    return { kind: 'pending', note: waiting?.reason ? `Pending: ${waiting.reason}` : 'Pending' };
  }
  if (c?.state?.terminated)
    return {
      kind: 'failed',
      note: `${c.state.terminated.reason ?? 'exited'}: exit code ${c.state.terminated.exitCode}`,
    };
  if (!c?.started) return { kind: 'starting', note: 'cloning the workspace and starting the agent' };
  if (c.ready === false)
    return { kind: 'exited', note: "the agent's tmux session has ended; the pod is kept for inspection" };
  return { kind: 'running' };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
