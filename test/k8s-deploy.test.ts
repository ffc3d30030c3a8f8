// The deploy/ files the Kubernetes docs tell users to apply: each manifest valid against the Kubernetes schema, the
// Role granting every permission gt doctor checks (so the two cannot drift apart), the NetworkPolicy selecting the
// pods the provider labels, and the image laid out as the host defaults expect (gt at /opt/gastown, uid 1000).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { Service, ServiceAccount } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { kubeLib } from '../src/providers/k8s-client.ts';
import { K8S_PERMISSIONS } from '../src/providers/k8s-doctor.ts';
import { APP, APP_LABEL } from '../src/providers/k8s-pod.ts';
import { K8S_DEFAULTS, K8S_GT_ROOT } from '../src/providers/k8s-settings.ts';

const deploy = resolve(import.meta.dirname, '..', 'deploy');
const MODELS: Record<string, { new (data: never): { validate(): void } }> = {
  Role,
  RoleBinding,
  ServiceAccount,
  NetworkPolicy,
  Service,
};

interface Obj {
  kind: string;
  metadata: { name: string };
  rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  spec?: { podSelector?: { matchLabels?: Record<string, string> } };
  roleRef?: { name: string };
}

async function manifests(file: string): Promise<Obj[]> {
  return (await kubeLib()).loadAllYaml(readFileSync(join(deploy, 'k8s', file), 'utf8')) as Obj[];
}

describe('deploy/', () => {
  it('every manifest is a valid Kubernetes object', async () => {
    for (const file of ['rbac.yaml', 'networkpolicy.yaml', 'town-service.yaml']) {
      for (const o of await manifests(file)) {
        const Model = MODELS[o.kind];
        expect(Model, `${file}: ${o.kind}`).toBeDefined();
        expect(() => new Model!(o as never).validate(), `${file}: ${o.kind} ${o.metadata.name}`).not.toThrow();
      }
    }
  });

  it('the Role grants each permission gt doctor checks, and the binding names it', async () => {
    const objs = await manifests('rbac.yaml');
    const role = objs.find((o) => o.kind === 'Role')!;
    for (const [verb, resource] of K8S_PERMISSIONS) {
      const ok = role.rules!.some(
        (r) => r.apiGroups.includes('') && r.resources.includes(resource) && r.verbs.includes(verb),
      );
      expect(ok, `${verb} ${resource}`).toBe(true);
    }
    expect(objs.find((o) => o.kind === 'RoleBinding')!.roleRef!.name).toBe(role.metadata.name);
  });

  it('the NetworkPolicy selects the pods the provider makes', async () => {
    const [policy] = await manifests('networkpolicy.yaml');
    expect(policy!.spec!.podSelector!.matchLabels).toEqual({ [APP_LABEL]: APP });
  });

  it('the image puts gt where the host defaults look and runs as the default non-root user', () => {
    const docker = readFileSync(join(deploy, 'Dockerfile'), 'utf8');
    expect(docker).toContain(`\nWORKDIR ${K8S_GT_ROOT}\n`);
    expect(docker).toMatch(/^COPY bin \.\/bin$/m);
    expect(docker).toMatch(new RegExp(`^USER ${K8S_DEFAULTS.run_as_user}$`, 'm'));
    expect(docker).toMatch(/apt-get install .*\bgit\b.*\btmux\b/);
  });
});
