// The shapes shared by the test Kubernetes API server's parts: its options, the handle tests hold, the objects it
// stores (loose JSON, as the API serves them) and what an "image" provides on this machine.

/** What an image name stands for here: no image is pulled, the container runs on this machine with these. */
export interface ImageSpec {
  /** Directories put first on the container's PATH (e.g. a checkout's bin/ so `gt` resolves). */
  path?: string[];
  /** The image's ENV. */
  env?: Record<string, string>;
  /** The image's USER (default root, uid 0, home /root): its home is a fresh per-pod directory mounted there. */
  user?: { name: string; uid: number; gid?: number; home?: string };
  /** The image's ENTRYPOINT and CMD, used when the container gives no command / args. */
  entrypoint?: string[];
  cmd?: string[];
  /** The image's WORKDIR. */
  workingDir?: string;
  /** How long a "pull" takes (ms; default 0): the container waits in ContainerCreating meanwhile. */
  pullMs?: number;
  /**
   * Host paths that are part of the image (e.g. the checkout and node a test runs gt from): the container sees them
   * read-only at the same path even where its private /tmp or home would hide them (a checkout under /tmp).
   */
  files?: string[];
}

/** One rule of the authorizer: who may do a verb on a resource. Rules are checked in order; the first match wins. */
export interface AccessRule {
  verb: string | '*';
  resource: string | '*';
  subresource?: string;
  namespace?: string;
  allowed: boolean;
}

export interface KubeApiOptions {
  /** Where pods' directories, logs and the kubeconfig go. */
  dir: string;
  /** The bearer token every request must carry (a random one by default). */
  token?: string;
  /** Image names this "node" can pull, and what each provides. Any other image fails to pull (ErrImagePull). */
  images?: Record<string, ImageSpec>;
  /** Pods the node runs at once (default 110, the kubelet default); more stay Pending (Unschedulable). */
  maxPods?: number;
  /** Namespaces that exist besides `default`. */
  namespaces?: string[];
  /** How long one second of a probe's periodSeconds/timeoutSeconds/initialDelaySeconds lasts, in ms (default 1000). */
  probeSecondMs?: number;
  /** Authorization rules (default: everything allowed). */
  access?: AccessRule[];
}

/** One request the server answered: tests count calls (one pod list per tick, no per-agent calls). */
export interface KubeRequest {
  method: string;
  /** The path with its query string. */
  path: string;
  status: number;
  /** The body of pod and secret creates (parsed JSON), so tests can check every manifest sent. */
  body?: unknown;
  at: number;
}

/** The handle a test holds. Everything besides url/token/kubeconfigPath is a test control, not Kubernetes API. */
export interface KubeApi {
  url: string;
  token: string;
  /** A kubeconfig with cluster `test` at `url`, user `test` with the bearer token, context `test` (current). */
  kubeconfigPath: string;
  dir: string;
  requests(): Promise<KubeRequest[]>;
  /** The kubelet evicts the pod (node pressure): phase Failed, reason Evicted, processes killed. */
  evict(ns: string, pod: string): Promise<void>;
  /** The container is OOM-killed: terminated reason OOMKilled, exit code 137; with restartPolicy Never the pod Failed. */
  oomKill(ns: string, pod: string): Promise<void>;
  /** The node is lost: every pod on it Failed with reason NodeLost, processes killed; new pods Pending until restored. */
  loseNode(): Promise<void>;
  restoreNode(): Promise<void>;
  /** Pods the node runs at once from now on; Pending pods schedule when room frees. */
  setCapacity(n: number): Promise<void>;
  /** Pulls of this image fail from now on (ErrImagePull, then ImagePullBackOff), or succeed again with `false`. */
  failImage(name: string, failing?: boolean): Promise<void>;
  /** The next n requests are answered 429 TooManyRequests with Retry-After. */
  throttleNext(n: number, retryAfterSeconds?: number): Promise<void>;
  /** Forget the watch history: watching from an older resourceVersion gets 410 Gone (an ERROR event). */
  compact(): Promise<void>;
  /** The host pid of a pod's container main process (PID 1 in the pod), when it runs. */
  podPid(ns: string, pod: string): Promise<number | undefined>;
  stop(): Promise<void>;
}

export type Json = Record<string, unknown>;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  generateName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  [k: string]: unknown;
}

export interface KubeObject {
  kind: string;
  apiVersion: string;
  metadata: ObjectMeta;
  [k: string]: unknown;
}

export interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVar[];
  envFrom?: { prefix?: string; secretRef?: { name: string; optional?: boolean }; configMapRef?: unknown }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
  securityContext?: {
    runAsUser?: number;
    runAsGroup?: number;
    runAsNonRoot?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
  };
  tty?: boolean;
  stdin?: boolean;
  imagePullPolicy?: string;
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  [k: string]: unknown;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
    [k: string]: unknown;
  };
}

export interface Volume {
  name: string;
  emptyDir?: { medium?: string; sizeLimit?: string };
  secret?: {
    secretName: string;
    items?: { key: string; path: string; mode?: number }[];
    defaultMode?: number;
    optional?: boolean;
  };
  hostPath?: { path: string; type?: string };
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  [k: string]: unknown;
}

export interface PodSpec {
  containers: ContainerSpec[];
  initContainers?: ContainerSpec[];
  volumes?: Volume[];
  restartPolicy?: string;
  nodeSelector?: Record<string, string>;
  nodeName?: string;
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsUser?: number; runAsGroup?: number; runAsNonRoot?: boolean; fsGroup?: number };
  [k: string]: unknown;
}

export interface Pod extends KubeObject {
  spec: PodSpec;
  status: Json;
}
