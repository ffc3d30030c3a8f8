// Against a real cluster, when one is given: KUBECONFIG (its current context, or GT_K8S_CONTEXT), GT_K8S_NAMESPACE
// (default gastown-test, with deploy/k8s/rbac.yaml applied), GT_K8S_IMAGE (deploy/Dockerfile, pushed where the
// cluster pulls from) and GT_K8S_TOWN_URL (where its pods reach this machine's town API, e.g. an ingress or a tunnel;
// the test runs `gt serve --bind 0.0.0.0 --port $GT_K8S_TOWN_PORT`, default 7717). Without them it says it was skipped
// and why. Built CLI.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceRepo, tempDir } from './support/gt.ts';
import { cleanEnv } from './support/bd.ts';
import { GT_BUILT_BIN, gtBuilt, gtBuiltJson, requireFreshBuild } from './support/gt-built.ts';

const need = {
  KUBECONFIG: 'a kubeconfig',
  GT_K8S_IMAGE: 'the agent image',
  GT_K8S_TOWN_URL: "the town API's URL for pods",
};
const missing = Object.entries(need).filter(([k]) => !process.env[k]);
const why = missing.length
  ? `${missing.map(([k, what]) => `${k} (${what})`).join(', ')} not set: no real cluster to run against`
  : undefined;
if (why) process.stderr.write(`test/k8s-real.test.ts skipped: ${why}\n`);

const SOCKET = `gt-test-k8s-real-${process.pid}`;
const env = { GT_TMUX_SOCKET: SOCKET, GT_SIM_POLL_MS: '3000', KUBECONFIG: process.env.KUBECONFIG ?? '' };

describe.skipIf(why !== undefined)('polecats as pods in a real cluster', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  let serve: ChildProcess | undefined;
  const context =
    process.env.GT_K8S_CONTEXT ??
    spawnSync('kubectl', ['config', 'current-context'], { encoding: 'utf8' }).stdout.trim();
  const namespace = process.env.GT_K8S_NAMESPACE ?? 'gastown-test';

  beforeAll(() => {
    requireFreshBuild();
    const t = tempDir('gt k8s real');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtBuiltJson(base, ['install', town], { env });
    const settingsPath = join(town, 'settings', 'config.json');
    const settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(settingsPath, JSON.stringify({ ...settings, role_agents: { polecat: 'sim' } }, null, 2));
    sourceRepo(join(base, 'app src'), 'main', { 'README.md': '# app\n' });
    gtBuiltJson(town, ['rig', 'add', 'app', join(base, 'app src')], { env });
    const port = process.env.GT_K8S_TOWN_PORT ?? '7717';
    serve = spawn(process.execPath, [GT_BUILT_BIN, 'serve', '--bind', '0.0.0.0', '--port', port], {
      cwd: town,
      env: cleanEnv(env),
      stdio: 'ignore',
    });
  }, 120_000);

  afterAll(() => {
    gtBuilt(town, ['daemon', 'stop'], { env });
    serve?.kill();
    spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
    cleanup();
  }, 60_000);

  it('adds the namespace after checking the API, the RBAC, the image and the secrets', () => {
    const r = gtBuilt(
      town,
      [
        'host',
        'add',
        'pods',
        `k8s://${context}/${namespace}`,
        '--image',
        process.env.GT_K8S_IMAGE!,
        '--town-url',
        process.env.GT_K8S_TOWN_URL!,
        '--json',
      ],
      { env },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'k8s', check: { ok: true } });
  }, 120_000);

  it('a sim polecat in a pod lands once', async () => {
    gtBuiltJson(town, ['daemon', 'start'], { env });
    const id = gtBuiltJson<{ id: string }>(
      town,
      ['bd', 'create', 'Real pod', '-d', '```sim\nwrite real.txt "from the cluster\\n"\n```\n', '--rig', 'app'],
      { env },
    ).id;
    const r = gtBuiltJson<{ results: { status: string }[] }>(town, ['sling', id, 'app', '--host', 'pods'], { env });
    expect(r.results[0]!.status).toBe('started');
    const deadline = Date.now() + 300_000;
    const landed = () => spawnSync('git', ['-C', join(town, 'app', '.repo.git'), 'show', 'main:real.txt']).status === 0;
    while (!landed() && Date.now() < deadline) await new Promise((res) => setTimeout(res, 2000));
    expect(landed()).toBe(true);
  }, 360_000);
});
