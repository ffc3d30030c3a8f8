// What kube-apiserver checks before it stores a pod or a secret: the OpenAPI schema (kubernetes-models' validate(),
// so every manifest a client sends is checked against the real Pod schema) plus the rules the schema cannot say
// (names are DNS-1123, container and volume names unique, mounts name a volume, one source per volume); then the
// defaults the API fills in. A failure is a 422 Invalid with one cause per field, as the API answers.
import { Pod as PodModel } from 'kubernetes-models/v1';
import { invalid, type StatusCause } from './status.ts';
import type { ContainerSpec, Json, Pod } from './types.ts';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

const bad = (field: string, value: unknown, why: string): StatusCause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${JSON.stringify(value)}: ${why}`,
  field,
});
const required = (field: string, why = ''): StatusCause => ({
  reason: 'FieldValueRequired',
  message: `Required value${why ? `: ${why}` : ''}`,
  field,
});

/** `/spec/containers/0/image` → `spec.containers[0].image` */
function fieldOf(instancePath: string): string {
  return instancePath
    .split('/')
    .filter(Boolean)
    .map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('');
}

function metaCauses(meta: Json | undefined): StatusCause[] {
  const out: StatusCause[] = [];
  const name = meta?.name as string | undefined;
  if (!name && !meta?.generateName) out.push(required('metadata.name', 'name or generateName is required'));
  if (name && (name.length > 253 || !SUBDOMAIN.test(name))) out.push(bad('metadata.name', name, SUBDOMAIN_MSG));
  for (const [k, v] of Object.entries((meta?.labels ?? {}) as Record<string, string>)) {
    if (!LABEL_KEY.test(k)) out.push(bad('metadata.labels', k, 'name part must consist of alphanumeric characters'));
    if (typeof v === 'string' && (v.length > 63 || !LABEL_VALUE.test(v)))
      out.push(
        bad(
          'metadata.labels',
          v,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        ),
      );
  }
  return out;
}

function containerCauses(cs: ContainerSpec[], at: string, volumes: Set<string>, seen: Set<string>): StatusCause[] {
  const out: StatusCause[] = [];
  cs.forEach((c, i) => {
    const f = `${at}[${i}]`;
    if (!c.name) out.push(required(`${f}.name`));
    else if (c.name.length > 63 || !LABEL.test(c.name)) out.push(bad(`${f}.name`, c.name, LABEL_MSG));
    else if (seen.has(c.name))
      out.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: "${c.name}"`, field: `${f}.name` });
    seen.add(c.name);
    if (!c.image) out.push(required(`${f}.image`));
    const paths = new Set<string>();
    (c.volumeMounts ?? []).forEach((m, j) => {
      const mf = `${f}.volumeMounts[${j}]`;
      if (!volumes.has(m.name))
        out.push({ reason: 'FieldValueNotFound', message: `Not found: "${m.name}"`, field: `${mf}.name` });
      if (!m.mountPath) out.push(required(`${mf}.mountPath`));
      else if (paths.has(m.mountPath)) out.push(bad(`${mf}.mountPath`, m.mountPath, 'must be unique'));
      paths.add(m.mountPath);
    });
    (c.env ?? []).forEach((e, j) => {
      if (!e.name) out.push(required(`${f}.env[${j}].name`));
      else if (e.name.includes('='))
        out.push(
          bad(
            `${f}.env[${j}].name`,
            e.name,
            "a valid environment variable name must consist only of printable ASCII characters other than '='",
          ),
        );
    });
  });
  return out;
}

const VOLUME_SOURCES = [
  'emptyDir',
  'secret',
  'hostPath',
  'persistentVolumeClaim',
  'configMap',
  'projected',
  'downwardAPI',
  'nfs',
  'csi',
  'ephemeral',
];

/** Checks a pod as the API would; throws a 422 ApiError listing every cause. */
export function validatePod(body: Json): void {
  const name = String(
    (body.metadata as Json | undefined)?.name ?? (body.metadata as Json | undefined)?.generateName ?? '',
  );
  const causes: StatusCause[] = [];
  try {
    new PodModel(body as ConstructorParameters<typeof PodModel>[0]).validate();
  } catch (e) {
    const errors = (e as { errors?: { instancePath: string; message?: string; keyword?: string; params?: Json }[] })
      .errors;
    for (const err of errors ?? [{ instancePath: '', message: (e as Error).message }]) {
      if (err.keyword === 'oneOf') continue; // the alternatives already reported
      const field = fieldOf(err.instancePath);
      const missing = err.keyword === 'required' ? String(err.params?.missingProperty ?? '') : '';
      causes.push(
        missing
          ? required(field ? `${field}.${missing}` : missing)
          : { reason: 'FieldValueInvalid', message: `Invalid value: ${err.message ?? 'invalid'}`, field },
      );
    }
  }
  causes.push(...metaCauses(body.metadata as Json | undefined));
  const spec = body.spec as Pod['spec'] | undefined;
  if (spec && Array.isArray(spec.containers)) {
    if (spec.containers.length === 0) causes.push(required('spec.containers'));
    const volumes = new Set<string>();
    (spec.volumes ?? []).forEach((v, i) => {
      if (!v.name || !LABEL.test(v.name)) causes.push(bad(`spec.volumes[${i}].name`, v.name, LABEL_MSG));
      else if (volumes.has(v.name))
        causes.push({
          reason: 'FieldValueDuplicate',
          message: `Duplicate value: "${v.name}"`,
          field: `spec.volumes[${i}].name`,
        });
      volumes.add(v.name);
      const kinds = VOLUME_SOURCES.filter((k) => v[k] !== undefined);
      if (kinds.length === 0) causes.push(required(`spec.volumes[${i}]`, 'must specify a volume type'));
      if (kinds.length > 1)
        causes.push({
          reason: 'FieldValueForbidden',
          message: `Forbidden: may not specify more than 1 volume type`,
          field: `spec.volumes[${i}].${kinds[1]}`,
        });
    });
    const seen = new Set<string>();
    causes.push(...containerCauses(spec.initContainers ?? [], 'spec.initContainers', volumes, seen));
    causes.push(...containerCauses(spec.containers, 'spec.containers', volumes, seen));
  } else if (!causes.some((c) => c.field?.startsWith('spec'))) causes.push(required('spec.containers'));
  if (causes.length) throw invalid('Pod', name, causes);
}

/** The defaults the API fills into a stored pod (the fields a client reads back). */
export function defaultPod(pod: Pod): void {
  const s = pod.spec;
  s.restartPolicy ??= 'Always';
  s.terminationGracePeriodSeconds ??= 30;
  s.dnsPolicy ??= 'ClusterFirst';
  s.schedulerName ??= 'default-scheduler';
  s.securityContext ??= {};
  s.serviceAccountName ??= (s.serviceAccount as string | undefined) ?? 'default';
  s.serviceAccount = s.serviceAccountName;
  s.enableServiceLinks ??= true;
  s.preemptionPolicy ??= 'PreemptLowerPriority';
  s.priority ??= 0;
  s.tolerations ??= [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ];
  for (const c of [...(s.initContainers ?? []), ...s.containers]) {
    const tag = c.image.includes('@') ? 'digest' : (/:([^/:]+)$/.exec(c.image)?.[1] ?? 'latest');
    c.imagePullPolicy ??= tag === 'latest' ? 'Always' : 'IfNotPresent';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.resources ??= {};
    if (c.resources.limits && !c.resources.requests) c.resources.requests = { ...c.resources.limits };
  }
  pod.status = { phase: 'Pending', qosClass: qosClass(s.containers) };
}

function qosClass(cs: ContainerSpec[]): string {
  const all = cs.map((c) => c.resources ?? {});
  if (all.every((r) => !r.limits && !r.requests)) return 'BestEffort';
  const full = all.every(
    (r) =>
      r.limits?.cpu &&
      r.limits.memory &&
      (r.requests?.cpu ?? r.limits.cpu) === r.limits.cpu &&
      (r.requests?.memory ?? r.limits.memory) === r.limits.memory,
  );
  return full ? 'Guaranteed' : 'Burstable';
}

/** Checks and completes a secret: a valid name, data values base64, stringData merged into data. */
export function validateSecret(body: Json): void {
  const meta = body.metadata as Json | undefined;
  const causes = metaCauses(meta);
  const data = (body.data ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0)
      causes.push(bad(`data[${k}]`, '<secret contents redacted>', 'illegal base64 data'));
  }
  for (const k of [...Object.keys(data), ...Object.keys((body.stringData ?? {}) as Json)])
    if (!/^[-._a-zA-Z0-9]+$/.test(k))
      causes.push(bad(`data[${k}]`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"));
  if (causes.length) throw invalid('Secret', String(meta?.name ?? ''), causes);
  for (const [k, v] of Object.entries((body.stringData ?? {}) as Record<string, string>))
    data[k] = Buffer.from(v).toString('base64');
  body.data = data;
  delete body.stringData;
  body.type ??= 'Opaque';
}
