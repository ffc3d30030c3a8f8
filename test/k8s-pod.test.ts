// The pods the k8s provider sends, checked against the Kubernetes schema (kubernetes-models), and what a pod's status
// says about its agent: the states `gt agents` shows for pods waiting for room, failing to pull, evicted or lost.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pod } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { entryScript, podManifest, podName, podState, type PodPlan } from '../src/providers/k8s-pod.ts';
import { attachCommand } from '../src/providers/k8s-tmux.ts';
import { k8sSettings, parseK8sUrl } from '../src/providers/k8s-settings.ts';
import { shellQuote } from '../src/tmux/index.ts';
import { tempDir } from './support/gt.ts';

const settings = k8sSettings({
  context: 'prod',
  namespace: 'gastown',
  image: 'registry.example/agent:1',
  node_selector: { pool: 'agents' },
  tolerations: [{ key: 'agents', operator: 'Exists', effect: 'NoSchedule' }],
  service_account: 'gastown-agent',
  credentials: [{ secret: 'claude-login', path: '.claude' }],
  secret_env: [{ name: 'ANTHROPIC_API_KEY', secret: 'anthropic', key: 'api-key' }],
});

const plan = (over: Partial<PodPlan> = {}): PodPlan => ({
  town: 'gt-1a2b3c4d',
  socket: 'gt-1a2b3c4d',
  session: 'gt-app-nux',
  address: 'app/nux',
  rig: 'app',
  polecat: 'nux',
  bead: 'app-x1f',
  workdir: '/workspace/app/nux',
  workspaceRoot: '/workspace',
  argv: ['claude', '--dangerously-skip-permissions', "it's a prompt"],
  env: { GT_ADDRESS: 'app/nux', GT_TOWN_URL: 'http://gastown.gastown.svc:7717' },
  unsetEnv: ['NODE_OPTIONS'],
  width: 200,
  height: 50,
  tokenSecret: 'gt-1a2b3c4d-gt-app-nux-token',
  townUrl: 'http://gastown.gastown.svc:7717',
  node: 'node',
  gtRoot: '/opt/gastown',
  settings,
  ...over,
});

describe('the pod manifest', () => {
  it('is a valid Pod with the labels, restartPolicy Never, a non-root user, the settings and the probes', () => {
    const m = podManifest(plan(), podName('gt-1a2b3c4d', 'gt-app-nux'));
    expect(() => new Pod(m as ConstructorParameters<typeof Pod>[0]).validate()).not.toThrow();
    expect(m.metadata?.labels).toMatchObject({
      'app.kubernetes.io/name': 'gastown-agent',
      'gastown.dev/town': 'gt-1a2b3c4d',
      'gastown.dev/rig': 'app',
      'gastown.dev/polecat': 'nux',
      'gastown.dev/bead': 'app-x1f',
    });
    const spec = m.spec!;
    expect(spec.restartPolicy).toBe('Never');
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(spec.nodeSelector).toEqual({ pool: 'agents' });
    expect(spec.tolerations).toEqual(settings.tolerations);
    expect(spec.serviceAccountName).toBe('gastown-agent');
    const c = spec.containers[0]!;
    expect(c.image).toBe('registry.example/agent:1');
    expect(c.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } });
    expect(c.env).toContainEqual({
      name: 'ANTHROPIC_API_KEY',
      valueFrom: { secretKeyRef: { name: 'anthropic', key: 'api-key' } },
    });
    // The token is a mounted Secret, never a value in the spec.
    expect(JSON.stringify(m)).not.toMatch(/"GT_TOWN_TOKEN"/);
    expect(spec.volumes).toContainEqual({
      name: 'town-token',
      secret: { secretName: 'gt-1a2b3c4d-gt-app-nux-token', defaultMode: 0o444 },
    });
    expect(c.readinessProbe).toBeUndefined();
    expect(c.startupProbe?.exec?.command).toEqual([
      'tmux',
      '-u',
      '-L',
      'gt-1a2b3c4d',
      '-f',
      '/dev/null',
      'has-session',
      '-t',
      '=gt-app-nux',
    ]);
  });

  it('uses the PVC when one is configured, and a name Kubernetes accepts for any session', () => {
    const m = podManifest(plan({ settings: { ...settings, workspace_pvc: 'gastown-work' } }), 'x');
    expect(m.spec!.volumes).toContainEqual({ name: 'workspace', persistentVolumeClaim: { claimName: 'gastown-work' } });
    const name = podName('gt-1a2b3c4d', `Gt_${'Very-Long_Session'.repeat(6)}`);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(name.length).toBeLessThanOrEqual(57);
  });

  it('k8s:// addresses: a context and a namespace, anything else refused with the form to use', () => {
    expect(parseK8sUrl('k8s://prod/gastown')).toEqual({ context: 'prod', namespace: 'gastown' });
    expect(() => parseK8sUrl('k8s://prod')).toThrow(
      expect.objectContaining({ hint: expect.stringMatching(/k8s:\/\/<kubeconfig context>\/<namespace>/) }),
    );
    expect(() => parseK8sUrl('k8s://prod/Not_A_Namespace')).toThrow(/not a Kubernetes address/);
  });
});

describe('the entry script', () => {
  it('copies credentials into $HOME, clones once, starts the agent in tmux and stays up', () => {
    // Run with stand-ins for gt (records its call and makes the clone) and tmux (records its argv), then stopped.
    const { dir, cleanup } = tempDir('k8s-entry');
    try {
      const bin = join(dir, 'bin');
      mkdirSync(bin);
      mkdirSync(join(dir, 'creds', '0'), { recursive: true });
      writeFileSync(join(dir, 'creds', '0', 'credentials.json'), '{"login":true}');
      writeFileSync(
        join(bin, 'gt.js'),
        `require('fs').mkdirSync(process.argv[4] + '/.git', { recursive: true });
require('fs').appendFileSync(${JSON.stringify(join(dir, 'calls'))}, 'gt ' + process.argv.slice(2).join(' ') + '\\n');`,
      );
      writeFileSync(join(bin, 'tmux'), `#!/bin/sh\nprintf 'tmux %s\\n' "$*" >> '${join(dir, 'calls')}'\n`, {
        mode: 0o755,
      });
      const script = entryScript(
        plan({
          node: process.execPath,
          gtRoot: dir,
          workdir: join(dir, 'ws', 'app', 'nux'),
          workspaceRoot: join(dir, 'ws'),
        }),
      )
        .replaceAll('/var/run/gastown/credentials', shellQuote(join(dir, 'creds')))
        .replace('while :; do sleep 3600 & wait $! || true; done', 'echo alive');
      const r = spawnSync('/bin/sh', ['-c', script], {
        env: { PATH: `${bin}:/usr/bin:/bin`, HOME: join(dir, 'home'), TMUX_TMPDIR: join(dir, 'home', '.tmux') },
        encoding: 'utf8',
      });
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('alive');
      expect(readFileSync(join(dir, 'home', '.claude', 'credentials.json'), 'utf8')).toBe('{"login":true}');
      const calls = readFileSync(join(dir, 'calls'), 'utf8');
      expect(calls).toContain(`gt workspace clone ${join(dir, 'ws', 'app', 'nux')}`);
      expect(calls).toMatch(
        /tmux -u -L gt-1a2b3c4d -f \/dev\/null new-session -d -s gt-app-nux .*exec env -u NODE_OPTIONS/,
      );
      // A second start on the same volume (a PVC) does not clone again.
      spawnSync('/bin/sh', ['-c', script], {
        env: { PATH: `${bin}:/usr/bin:/bin`, HOME: join(dir, 'home'), TMUX_TMPDIR: '/tmp' },
      });
      expect(readFileSync(join(dir, 'calls'), 'utf8').match(/workspace clone/g)).toHaveLength(1);
    } finally {
      cleanup();
    }
  });
});

describe('what a pod says about its agent', () => {
  const pod = (status: object) => ({ metadata: { name: 'p' }, status }) as Parameters<typeof podState>[0];
  it('tells waiting for room, image failures, eviction, OOM, a lost node and an ended agent apart', () => {
    expect(
      podState(
        pod({
          phase: 'Pending',
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              message: '0/1 nodes are available: 1 Too many pods.',
            },
          ],
        }),
      ),
    ).toEqual({ kind: 'unschedulable', note: 'Unschedulable: 0/1 nodes are available: 1 Too many pods.' });
    expect(
      podState(
        pod({
          phase: 'Pending',
          containerStatuses: [
            {
              name: 'agent',
              state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' } },
            },
          ],
        }),
      ).kind,
    ).toBe('image');
    expect(
      podState(pod({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' })),
    ).toEqual({
      kind: 'failed',
      note: 'Evicted: The node was low on resource: memory.',
    });
    expect(
      podState(
        pod({
          phase: 'Failed',
          containerStatuses: [{ name: 'agent', state: { terminated: { reason: 'OOMKilled', exitCode: 137 } } }],
        }),
      ),
    ).toEqual({ kind: 'failed', note: 'OOMKilled: exit code 137' });
    expect(podState(pod({ phase: 'Unknown' }))).toEqual({ kind: 'failed', note: expect.stringMatching(/^node lost/) });
    expect(
      podState(
        pod({
          phase: 'Running',
          containerStatuses: [{ name: 'agent', started: true, ready: false, state: { running: {} } }],
        }),
      ).kind,
    ).toBe('exited');
    expect(
      podState(
        pod({
          phase: 'Running',
          containerStatuses: [{ name: 'agent', started: true, ready: true, state: { running: {} } }],
        }),
      ),
    ).toEqual({ kind: 'running' });
  });
});

describe('gt attach to a pod', () => {
  it('is kubectl exec -it into the agent container of the session pod, attaching its tmux session', () => {
    const s = k8sSettings({ context: 'prod', namespace: 'gastown', kubeconfig: '/home/me/kube.yaml' });
    const a = attachCommand({ socket: 'gt-1a2b3c4d', settings: s, podOf: (x) => podName('gt-1a2b3c4d', x) }, 'app-nux');
    expect([a.bin, ...a.args]).toEqual([
      'kubectl',
      '--kubeconfig',
      '/home/me/kube.yaml',
      '--context',
      'prod',
      '-n',
      'gastown',
      'exec',
      '-it',
      'gt-1a2b3c4d-app-nux',
      '-c',
      'agent',
      '--',
      'tmux',
      '-u',
      '-L',
      'gt-1a2b3c4d',
      '-f',
      '/dev/null',
      'attach-session',
      '-t',
      '=app-nux',
    ]);
  });
});
