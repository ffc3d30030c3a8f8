// A Kubernetes "host": a namespace of a cluster where each polecat runs as a pod (docs/kubernetes.md). Its settings
// live in settings/hosts.json beside the SSH hosts (`kind: "k8s"`, object `k8s`); this module holds their shape,
// their defaults and the `k8s://<context>/<namespace>` address.
import { usageError } from '../kernel/index.ts';

export interface K8sToleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  tolerationSeconds?: number;
}

export interface K8sCredential {
  /** A Secret in the namespace; every key becomes a file. */
  secret: string;
  /** Where its files are copied, relative to $HOME in the pod (e.g. `.claude`). */
  path: string;
}

export interface K8sSecretEnv {
  /** The variable the agent sees (e.g. ANTHROPIC_API_KEY). */
  name: string;
  secret: string;
  key: string;
}

export interface K8sSettings {
  /** The kubeconfig context (its cluster and user). */
  context: string;
  namespace: string;
  /** The kubeconfig file; null: $KUBECONFIG, else ~/.kube/config. */
  kubeconfig: string | null;
  /** The agent image (deploy/Dockerfile): node, git, tmux, the agent CLIs and this package. */
  image: string;
  image_pull_policy: 'Always' | 'IfNotPresent' | 'Never';
  /** How pods reach the town API (a Service, an ingress); null: the URL the town API listens on. */
  town_url: string | null;
  resources: {
    requests: { cpu: string; memory: string };
    limits: { cpu: string; memory: string };
  };
  node_selector: Record<string, string>;
  tolerations: K8sToleration[];
  /** The pods' service account; null: none is mounted (agents need no access to the cluster's API). */
  service_account: string | null;
  /** The non-root user the container runs as (Claude Code refuses some flags as root). */
  run_as_user: number;
  /** A PersistentVolumeClaim for workspaces (each polecat a directory in it); null: an emptyDir per pod. */
  workspace_pvc: string | null;
  /** Secrets whose files are copied into $HOME (the runtimes' credentials). */
  credentials: K8sCredential[];
  /** Secret keys given to the agent as environment variables (API keys). */
  secret_env: K8sSecretEnv[];
  /** How long a start waits for its pod to run the agent (scheduling, image pull, clone). */
  start_timeout_s: number;
  /** How long a pod may stay unschedulable before its start is reported as waiting for room (the pod stays). */
  pending_grace_s: number;
}

export const K8S_DEFAULTS: Omit<K8sSettings, 'context' | 'namespace'> = {
  kubeconfig: null,
  image: 'ghcr.io/gastown-ts/agent:latest',
  image_pull_policy: 'IfNotPresent',
  town_url: null,
  resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } },
  node_selector: {},
  tolerations: [],
  service_account: null,
  run_as_user: 1000,
  workspace_pvc: null,
  credentials: [],
  secret_env: [],
  start_timeout_s: 300,
  pending_grace_s: 20,
};

/** Where the agent image (deploy/Dockerfile) has this package: the host's default gt_root. */
export const K8S_GT_ROOT = '/opt/gastown';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** `k8s://<context>/<namespace>` → its parts; anything else is refused. */
export function parseK8sUrl(url: string): { context: string; namespace: string } {
  const m = /^k8s:\/\/([^/\s]+)\/([^/\s]+)\/?$/.exec(url);
  if (!m || !DNS_LABEL.test(m[2]!)) {
    throw usageError(
      'GT_BAD_HOST_URL',
      `"${url}" is not a Kubernetes address`,
      'write it as k8s://<kubeconfig context>/<namespace> (kubectl config get-contexts lists the contexts)',
    );
  }
  return { context: decodeURIComponent(m[1]!), namespace: m[2]! };
}

export function isK8sUrl(url: string): boolean {
  return url.startsWith('k8s://');
}

/** Settings as stored, with defaults for what an older or hand-written file leaves out. */
export function k8sSettings(stored: Partial<K8sSettings> & { context: string; namespace: string }): K8sSettings {
  return {
    ...K8S_DEFAULTS,
    ...stored,
    resources: {
      requests: { ...K8S_DEFAULTS.resources.requests, ...stored.resources?.requests },
      limits: { ...K8S_DEFAULTS.resources.limits, ...stored.resources?.limits },
    },
  };
}
