// What the kubelet works out before a container starts: the volumes' host directories (emptyDir, secret files,
// hostPath, a claim's directory), and per container its env (value, secretKeyRef, fieldRef, envFrom secretRef,
// `$(VAR)` expansion), argv (command/args over the image's ENTRYPOINT/CMD), user and mounts. A missing secret is
// the kubelet's CreateContainerConfigError / FailedMount, worded as it words them.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_PATH, type ContainerPlan, type Mount } from './container.ts';
import type { ContainerSpec, ImageSpec, KubeObject, Pod } from './types.ts';

export type SecretLookup = (ns: string, name: string) => KubeObject | undefined;

export class SetupError extends Error {
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** The host directory behind each volume (relative to the pod directory, or absolute for hostPath/claims). */
export function prepareVolumes(
  pod: Pod,
  podDir: string,
  secrets: SecretLookup,
  claimsRoot: string,
): Map<string, string> {
  const ns = pod.metadata.namespace ?? 'default';
  const out = new Map<string, string>();
  for (const v of pod.spec.volumes ?? []) {
    if (v.emptyDir) {
      const dir = join(podDir, 'volumes', v.name);
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o777);
      out.set(v.name, `volumes/${v.name}`);
    } else if (v.secret) {
      const dir = join(podDir, 'volumes', v.name);
      mkdirSync(dir, { recursive: true });
      const secret = secrets(ns, v.secret.secretName);
      if (!secret && !v.secret.optional)
        throw new SetupError(
          'ContainerCreating',
          `MountVolume.SetUp failed for volume "${v.name}" : secret "${v.secret.secretName}" not found`,
        );
      const data = (secret?.data ?? {}) as Record<string, string>;
      const items = v.secret.items ?? Object.keys(data).map((key) => ({ key, path: key, mode: undefined }));
      for (const item of items) {
        if (!(item.key in data)) {
          if (v.secret.optional) continue;
          throw new SetupError(
            'ContainerCreating',
            `MountVolume.SetUp failed for volume "${v.name}" : references non-existent secret key: ${item.key}`,
          );
        }
        const file = join(dir, item.path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, Buffer.from(data[item.key]!, 'base64'), {
          mode: item.mode ?? v.secret.defaultMode ?? 0o644,
        });
      }
      out.set(v.name, `volumes/${v.name}`);
    } else if (v.hostPath) {
      if (v.hostPath.type === 'DirectoryOrCreate') mkdirSync(v.hostPath.path, { recursive: true });
      out.set(v.name, v.hostPath.path);
    } else if (v.persistentVolumeClaim) {
      // No PersistentVolumeClaim API here: a claim is a directory per namespace and claim name that outlives pods.
      const dir = join(claimsRoot, ns, v.persistentVolumeClaim.claimName);
      mkdirSync(dir, { recursive: true });
      out.set(v.name, dir);
    } else {
      const kind = Object.keys(v).find((k) => k !== 'name') ?? 'unknown';
      throw new SetupError(
        'ContainerCreating',
        `volume "${v.name}": the ${kind} volume type is not served by this test API server`,
      );
    }
  }
  return out;
}

function fieldValue(pod: Pod, path: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (pod.metadata[m[1] as 'labels'] ?? {})[m[2]!] ?? '';
  const known: Record<string, unknown> = {
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace,
    'metadata.uid': pod.metadata.uid,
    'spec.nodeName': pod.spec.nodeName,
    'spec.serviceAccountName': pod.spec.serviceAccountName,
    'status.hostIP': '127.0.0.1',
    'status.podIP': '127.0.0.1',
  };
  if (!(path in known)) throw new SetupError('CreateContainerConfigError', `unsupported fieldPath: ${path}`);
  return String(known[path] ?? '');
}

/** Kubernetes' `$(VAR)` expansion: defined names are replaced, `$$` is a literal `$`, unknown references stay. */
export function expand(s: string, env: Record<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (all, name: string | undefined) =>
    name === undefined ? '$' : name in env ? env[name]! : all,
  );
}

export function containerEnv(
  pod: Pod,
  c: ContainerSpec,
  image: ImageSpec,
  home: string,
  secrets: SecretLookup,
  port: number,
) {
  const ns = pod.metadata.namespace ?? 'default';
  const env: Record<string, string> = {
    PATH: [...(image.path ?? []), DEFAULT_PATH].join(':'),
    HOSTNAME: pod.metadata.name,
    HOME: home,
    ...(image.env ?? {}),
    KUBERNETES_SERVICE_HOST: '127.0.0.1',
    KUBERNETES_SERVICE_PORT: String(port),
    ...(c.tty ? { TERM: 'xterm' } : {}),
  };
  const secret = (name: string, optional?: boolean) => {
    const s = secrets(ns, name);
    if (!s && !optional) throw new SetupError('CreateContainerConfigError', `secret "${name}" not found`);
    return s;
  };
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef)
      throw new SetupError('CreateContainerConfigError', 'configmaps are not served by this test API server');
    if (!from.secretRef) continue;
    const s = secret(from.secretRef.name, from.secretRef.optional);
    for (const [k, v] of Object.entries((s?.data ?? {}) as Record<string, string>))
      env[`${from.prefix ?? ''}${k}`] = Buffer.from(v, 'base64').toString();
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined || !e.valueFrom) env[e.name] = expand(e.value ?? '', env);
    else if (e.valueFrom.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      const s = secret(ref.name, ref.optional);
      const data = (s?.data ?? {}) as Record<string, string>;
      if (s && !(ref.key in data) && !ref.optional)
        throw new SetupError('CreateContainerConfigError', `couldn't find key ${ref.key} in Secret ${ns}/${ref.name}`);
      if (ref.key in data) env[e.name] = Buffer.from(data[ref.key]!, 'base64').toString();
    } else if (e.valueFrom.fieldRef) env[e.name] = fieldValue(pod, e.valueFrom.fieldRef.fieldPath);
    else
      throw new SetupError(
        'CreateContainerConfigError',
        `env ${e.name}: only value, secretKeyRef and fieldRef are served by this test API server`,
      );
  }
  return env;
}

/** The whole plan for one container of `pod`, or a SetupError saying why it cannot start yet. */
export function planContainer(
  pod: Pod,
  c: ContainerSpec,
  image: ImageSpec,
  podDir: string,
  volumes: Map<string, string>,
  secrets: SecretLookup,
  port: number,
): ContainerPlan {
  const user = image.user ?? { name: 'root', uid: 0, gid: 0, home: '/root' };
  const uid = c.securityContext?.runAsUser ?? pod.spec.securityContext?.runAsUser ?? user.uid;
  const gid =
    c.securityContext?.runAsGroup ??
    pod.spec.securityContext?.runAsGroup ??
    user.gid ??
    (uid === user.uid ? (user.gid ?? uid) : 0);
  const nonRoot = c.securityContext?.runAsNonRoot ?? pod.spec.securityContext?.runAsNonRoot;
  if (nonRoot && uid === 0) {
    const who =
      c.securityContext?.runAsUser !== undefined || pod.spec.securityContext?.runAsUser !== undefined
        ? 'runAsUser'
        : 'image';
    throw new SetupError(
      'CreateContainerConfigError',
      who === 'image'
        ? 'container has runAsNonRoot and image will run as root ' +
            `(pod: "${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})", container: ${c.name})`
        : `container's runAsUser breaks non-root policy (pod: "${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})", container: ${c.name})`,
    );
  }
  const home = uid === user.uid ? (user.home ?? (uid === 0 ? '/root' : `/home/${user.name}`)) : '/';
  const env = containerEnv(pod, c, image, home === '/' ? '/' : home, secrets, port);
  const entry = c.command ?? image.entrypoint ?? [];
  const args = c.args ?? (c.command ? [] : (image.cmd ?? []));
  const argv = [...entry, ...args].map((a) => expand(a, env));
  if (argv.length === 0) throw new SetupError('CreateContainerError', 'no command specified');
  const mounts: Mount[] = (c.volumeMounts ?? []).map((m) => {
    const vol = pod.spec.volumes!.find((v) => v.name === m.name)!;
    let source = volumes.get(m.name)!;
    if (m.subPath) {
      source = join(source, m.subPath);
      mkdirSync(source.startsWith('/') ? source : join(podDir, source), { recursive: true });
    }
    return {
      source,
      target: m.mountPath,
      readOnly: Boolean(m.readOnly || vol.secret || vol.persistentVolumeClaim?.readOnly),
    };
  });
  for (const f of image.files ?? []) mounts.push({ source: f, target: f, readOnly: true });
  return {
    podDir,
    hostname: pod.metadata.name,
    spec: c,
    image,
    argv,
    env,
    workingDir: c.workingDir ?? image.workingDir ?? '/',
    uid,
    gid,
    home: home === '/' ? '/root' : home,
    mounts,
  };
}
