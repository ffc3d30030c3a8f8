// The REST resources the test API server serves, with the API's answers: namespaces (get/list), pods (create with
// schema validation and defaults, get, list, watch, graceful delete, log), secrets (create, get, list, delete) and
// SelfSubjectAccessReview. Each handler returns [status, body] or throws an ApiError.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import type { Node } from './kubelet.ts';
import { fieldMatcher, labelMatcher, SelectorError } from './selectors.ts';
import { alreadyExists, ApiError, badRequest, notFound } from './status.ts';
import { now, type Store } from './store.ts';
import type { AccessRule, Json, KubeObject, Pod } from './types.ts';
import { defaultPod, validatePod, validateSecret } from './validate.ts';
import { serveWatch } from './watch.ts';

export interface Ctx {
  store: Store;
  node: Node;
  access: AccessRule[];
  dir: string;
  watches: Set<() => void>;
}

export type Answer = [number, unknown];

const KINDS: Record<string, string> = { pods: 'Pod', secrets: 'Secret', namespaces: 'Namespace' };

export function allowed(
  access: AccessRule[],
  verb: string,
  resource: string,
  subresource?: string,
  ns?: string,
): boolean {
  for (const r of access) {
    if (r.verb !== '*' && r.verb !== verb) continue;
    if (r.resource !== '*' && r.resource !== resource) continue;
    if (r.subresource !== undefined && r.subresource !== (subresource ?? '')) continue;
    if (r.namespace !== undefined && r.namespace !== ns) continue;
    return r.allowed;
  }
  return true;
}

export function requireNamespace(ctx: Ctx, ns: string): void {
  if (!ctx.store.get('namespaces', '', ns)) throw notFound('namespaces', ns);
}

/** A list answer: items without kind/apiVersion, the list's resourceVersion, as the API serves them. */
function listOf(ctx: Ctx, resource: string, ns: string | undefined, q: URLSearchParams): Answer {
  let labels, fields;
  try {
    labels = labelMatcher(q.get('labelSelector') ?? undefined);
    fields = fieldMatcher(resource, q.get('fieldSelector') ?? undefined);
  } catch (e) {
    if (e instanceof SelectorError) throw badRequest(e.message);
    throw e;
  }
  const items = ctx.store
    .list(resource, ns)
    .filter((o) => labels(o) && fields(o))
    .sort((a, b) =>
      `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
    )
    .map(({ kind: _k, apiVersion: _a, ...rest }) => rest);
  return [
    200,
    {
      kind: `${KINDS[resource]}List`,
      apiVersion: 'v1',
      metadata: { resourceVersion: String(ctx.store.version()) },
      items,
    },
  ];
}

/** GET on a collection: a list, or a watch when `watch` is set (then the answer is streamed on `res`). */
export function getCollection(
  ctx: Ctx,
  resource: string,
  ns: string | undefined,
  q: URLSearchParams,
  res: ServerResponse,
): Answer | 'streamed' {
  if (ns !== undefined) requireNamespace(ctx, ns);
  const w = q.get('watch');
  if (w === 'true' || w === '1') {
    try {
      labelMatcher(q.get('labelSelector') ?? undefined);
      fieldMatcher(resource, q.get('fieldSelector') ?? undefined);
    } catch (e) {
      if (e instanceof SelectorError) throw badRequest(e.message);
      throw e;
    }
    serveWatch(
      ctx.store,
      {
        resource,
        kind: KINDS[resource]!,
        ...(ns !== undefined ? { ns } : {}),
        ...(q.get('resourceVersion') ? { resourceVersion: q.get('resourceVersion')! } : {}),
        ...(q.get('labelSelector') ? { labelSelector: q.get('labelSelector')! } : {}),
        ...(q.get('fieldSelector') ? { fieldSelector: q.get('fieldSelector')! } : {}),
        ...(q.get('timeoutSeconds') ? { timeoutSeconds: Number(q.get('timeoutSeconds')) } : {}),
        bookmarks: q.get('allowWatchBookmarks') === 'true',
      },
      res,
      ctx.watches,
    );
    return 'streamed';
  }
  return listOf(ctx, resource, ns, q);
}

export function getOne(ctx: Ctx, resource: string, ns: string, name: string): Answer {
  if (resource !== 'namespaces') requireNamespace(ctx, ns);
  const o = ctx.store.get(resource, resource === 'namespaces' ? '' : ns, name);
  if (!o) throw notFound(resource, name);
  return [200, o];
}

function checkBody(body: unknown, kind: string, ns: string): Json {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw badRequest(
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`,
    );
  const o = body as Json;
  if (o.kind !== undefined && o.kind !== kind)
    throw badRequest(`${kind} in version "v1" cannot be handled as a ${String(o.kind)}`);
  const meta = (o.metadata ??= {}) as Json;
  if (meta.namespace !== undefined && meta.namespace !== ns)
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  return o;
}

function nameFor(meta: Json): void {
  if (!meta.name && meta.generateName)
    meta.name = `${String(meta.generateName)}${randomBytes(4).toString('hex').slice(0, 5)}`;
}

export function createPod(ctx: Ctx, ns: string, body: unknown, q: URLSearchParams): Answer {
  requireNamespace(ctx, ns);
  const o = checkBody(body, 'Pod', ns);
  validatePod(o);
  const meta = o.metadata as Json;
  nameFor(meta);
  if (ctx.store.get('pods', ns, String(meta.name))) throw alreadyExists('pods', String(meta.name));
  const pod = { kind: 'Pod', apiVersion: 'v1', ...o, metadata: { ...meta, namespace: ns } } as unknown as Pod;
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds'])
    delete pod.metadata[k];
  delete pod.spec.nodeName;
  defaultPod(pod);
  if (q.get('dryRun') === 'All') return [201, { ...pod, metadata: { ...pod.metadata, creationTimestamp: now() } }];
  const stored = ctx.store.create('pods', pod) as Pod;
  ctx.node.added(stored);
  return [201, stored];
}

export function deletePod(ctx: Ctx, ns: string, name: string, body: unknown, q: URLSearchParams): Answer {
  requireNamespace(ctx, ns);
  const pod = ctx.store.get('pods', ns, name) as Pod | undefined;
  if (!pod) throw notFound('pods', name);
  if (pod.metadata.deletionTimestamp) return [200, pod];
  const opts = (body && typeof body === 'object' ? body : {}) as { gracePeriodSeconds?: number };
  const asked = q.get('gracePeriodSeconds') ?? opts.gracePeriodSeconds;
  const grace =
    asked !== undefined && asked !== null ? Math.max(0, Number(asked)) : (pod.spec.terminationGracePeriodSeconds ?? 30);
  if (!ctx.node.needsGrace(ns, name)) {
    void ctx.node.delete(ns, name, 0);
    return [200, pod];
  }
  const marked = ctx.store.update('pods', ns, name, (o) => {
    o.metadata.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    o.metadata.deletionGracePeriodSeconds = grace;
  })!;
  void ctx.node.delete(ns, name, grace);
  return [200, marked];
}

export function podLog(ctx: Ctx, ns: string, name: string, q: URLSearchParams): Answer {
  const [, pod] = getOne(ctx, 'pods', ns, name) as [number, Pod];
  const container = q.get('container') || pod.spec.containers[0]!.name;
  const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  if (!all.some((c) => c.name === container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  const statuses = [
    ...((pod.status.initContainerStatuses ?? []) as Json[]),
    ...((pod.status.containerStatuses ?? []) as Json[]),
  ];
  const state = statuses.find((s) => s.name === container)?.state as { waiting?: { reason: string } } | undefined;
  if (!state || state.waiting)
    throw badRequest(
      `container "${container}" in pod "${name}" is waiting to start: ${state?.waiting?.reason ?? 'ContainerCreating'}`,
    );
  const dir = join(ctx.dir, 'pods', ns, `${name}-${pod.metadata.uid.slice(0, 8)}`);
  let text = '';
  try {
    text = readFileSync(join(dir, `${container}.log`), 'utf8');
  } catch {
    // nothing written yet
  }
  const tail = q.get('tailLines');
  if (tail !== null) {
    const lines = text.split('\n');
    const last = lines.at(-1) === '' ? lines.slice(0, -1) : lines;
    text = last.slice(-Number(tail)).join('\n') + (last.length && Number(tail) > 0 ? '\n' : '');
  }
  return [200, text];
}

export function createSecret(ctx: Ctx, ns: string, body: unknown, q: URLSearchParams): Answer {
  requireNamespace(ctx, ns);
  const o = checkBody(body, 'Secret', ns);
  validateSecret(o);
  const meta = o.metadata as Json;
  nameFor(meta);
  if (ctx.store.get('secrets', ns, String(meta.name))) throw alreadyExists('secrets', String(meta.name));
  const secret = {
    kind: 'Secret',
    apiVersion: 'v1',
    ...o,
    metadata: { ...meta, namespace: ns },
  } as unknown as KubeObject;
  if (q.get('dryRun') === 'All') return [201, secret];
  return [201, ctx.store.create('secrets', secret)];
}

export function deleteSecret(ctx: Ctx, ns: string, name: string): Answer {
  requireNamespace(ctx, ns);
  const gone = ctx.store.remove('secrets', ns, name);
  if (!gone) throw notFound('secrets', name);
  return [
    200,
    {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, kind: 'secrets', uid: gone.metadata.uid },
    },
  ];
}

export function createNamespace(ctx: Ctx, name: string): KubeObject {
  return ctx.store.create('namespaces', {
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } as unknown as KubeObject['metadata'],
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  });
}

/** POST selfsubjectaccessreviews: the authorizer's answer for the attributes asked about. */
export function accessReview(ctx: Ctx, body: unknown): Answer {
  const spec = ((body as Json | undefined)?.spec ?? {}) as { resourceAttributes?: Json; nonResourceAttributes?: Json };
  const a = spec.resourceAttributes;
  if (!a && !spec.nonResourceAttributes)
    throw new ApiError(
      422,
      'Invalid',
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
  const ok = a
    ? allowed(
        ctx.access,
        String(a.verb ?? ''),
        String(a.resource ?? ''),
        a.subresource as string | undefined,
        a.namespace as string | undefined,
      )
    : true;
  return [
    201,
    {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec,
      status: ok
        ? { allowed: true, reason: "allowed by the test API server's rules" }
        : { allowed: false, denied: true, reason: "denied by the test API server's rules" },
    },
  ];
}
