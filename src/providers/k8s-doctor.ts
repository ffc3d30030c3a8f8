// Health checks of a Kubernetes host (gt doctor, gt host check/add): the API answers with this kubeconfig context,
// the login may do what the provider does (self-subject access reviews), the image setting is usable and no pod is
// failing to pull it, and the Secrets the settings name exist with their keys.
import { isGtError, messageOf } from '../kernel/index.ts';
import type { HostConfig } from './hosts.ts';
import { kubeClient, type KubeClient } from './k8s-client.ts';
import { podState, townSelector } from './k8s-pod.ts';
import { K8S_DEFAULTS, type K8sSettings } from './k8s-settings.ts';

export interface K8sCheck {
  id: string;
  status: 'ok' | 'warn' | 'error';
  detail: string;
  hint?: string;
}

/** What the provider does in the namespace: each must be allowed. */
export const K8S_PERMISSIONS: readonly [verb: string, resource: string][] = [
  ['create', 'pods'],
  ['get', 'pods'],
  ['list', 'pods'],
  ['watch', 'pods'],
  ['delete', 'pods'],
  ['create', 'pods/exec'],
  ['get', 'secrets'],
  ['create', 'secrets'],
  ['update', 'secrets'],
  ['delete', 'secrets'],
];

const IMAGE_REF =
  /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

export async function k8sChecks(h: HostConfig & { k8s: K8sSettings }, town: string): Promise<K8sCheck[]> {
  const s = h.k8s;
  const id = (what: string) => `k8s.${h.name}.${what}`;
  const where = `${s.context}/${s.namespace}`;
  const fail = (what: string, e: unknown): K8sCheck => ({
    id: id(what),
    status: 'error',
    detail: messageOf(e),
    ...(isGtError(e) && e.hint ? { hint: e.hint } : {}),
  });
  let c: KubeClient;
  let version: string;
  const started = Date.now();
  try {
    c = await kubeClient(s);
    version = await c.version();
  } catch (e) {
    return [fail('api', e)]; // nothing else can be asked
  }
  const out: K8sCheck[] = [
    { id: id('api'), status: 'ok', detail: `${where}: Kubernetes ${version} answered in ${Date.now() - started} ms` },
  ];
  try {
    const reviews = await Promise.all(
      K8S_PERMISSIONS.map(async ([verb, res]) => ({ verb, res, ...(await c.canI(verb, res)) })),
    );
    const missing = reviews.filter((r) => !r.allowed).map((r) => `${r.verb} ${r.res}`);
    out.push(
      missing.length === 0
        ? {
            id: id('rbac'),
            status: 'ok',
            detail: `${where}: may create, watch, exec into and delete pods and write its token secrets`,
          }
        : {
            id: id('rbac'),
            status: 'error',
            detail: `${where}: this login may not ${missing.join(', ')}`,
            hint: `kubectl --context ${s.context} apply -n ${s.namespace} -f deploy/k8s/rbac.yaml (then run gt as its service account, or bind the Role to your user)`,
          },
    );
  } catch (e) {
    out.push(fail('rbac', e));
  }
  out.push(await imageCheck(c, s, town, id('image')));
  out.push(await secretsCheck(c, s, id('secrets')));
  out.push(
    s.town_url
      ? { id: id('town-url'), status: 'ok', detail: `pods reach the town API at ${s.town_url}` }
      : {
          id: id('town-url'),
          status: 'warn',
          detail: 'no town_url: pods are given the address the town API listens on (loopback unless gt serve --bind)',
          hint: 'set "town_url" of this host in settings/hosts.json to the Service or ingress of the town API (docs/kubernetes.md)',
        },
  );
  return out;
}

async function imageCheck(c: KubeClient, s: K8sSettings, town: string, id: string): Promise<K8sCheck> {
  if (!IMAGE_REF.test(s.image))
    return {
      id,
      status: 'error',
      detail: `the image "${s.image}" is not an image reference`,
      hint: 'gt host add <name> k8s://… --image registry/agent:tag',
    };
  try {
    const { pods } = await c.listPods(townSelector(town));
    const failing = pods.flatMap((p) => {
      const st = podState(p);
      return st.kind === 'image' ? [`${p.metadata?.name}: ${st.note}`] : [];
    });
    if (failing.length > 0)
      return {
        id,
        status: 'error',
        detail: `pods cannot start the image ${s.image}: ${failing.join('; ')}`,
        hint: 'check the image name, its registry and the pull secret of the namespace',
      };
  } catch (e) {
    return { id, status: 'error', detail: messageOf(e) };
  }
  if (s.image === K8S_DEFAULTS.image)
    return {
      id,
      status: 'warn',
      detail: `the image is the default ${s.image}`,
      hint: 'build deploy/Dockerfile and give your tag with --image',
    };
  return { id, status: 'ok', detail: `image ${s.image} (${s.image_pull_policy})` };
}

async function secretsCheck(c: KubeClient, s: K8sSettings, id: string): Promise<K8sCheck> {
  const wanted = [
    ...s.credentials.map((x) => ({ secret: x.secret, key: undefined as string | undefined })),
    ...s.secret_env.map((x) => ({ secret: x.secret, key: x.key as string | undefined })),
  ];
  if (wanted.length === 0)
    return {
      id,
      status: 'warn',
      detail: 'no credentials are configured: agents in pods start without a login',
      hint: 'add "credentials" (Secret → a directory in $HOME) or "secret_env" to the host in settings/hosts.json',
    };
  const problems: string[] = [];
  for (const w of wanted) {
    try {
      const sec = await c.readSecret(w.secret);
      if (!sec) problems.push(`Secret ${w.secret} does not exist`);
      else if (w.key && !(w.key in (sec.data ?? {})) && !(w.key in (sec.stringData ?? {})))
        problems.push(`Secret ${w.secret} has no key ${w.key}`);
    } catch (e) {
      problems.push(messageOf(e));
    }
  }
  return problems.length === 0
    ? { id, status: 'ok', detail: `secrets ${[...new Set(wanted.map((w) => w.secret))].join(', ')} are there` }
    : {
        id,
        status: 'error',
        detail: problems.join('; '),
        hint: `kubectl -n ${s.namespace} create secret generic <name> --from-file=… (docs/kubernetes.md)`,
      };
}
