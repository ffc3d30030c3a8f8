// gt mq submit away from the town (GT_TOWN_URL): the branch is in the caller's own clone, so gt pushes it from there
// to the rig over the town's git endpoint, then the town queues the merge request for it. gt serve as a real
// process, real git over HTTP on loopback; a crew member's clone outside the town.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv } from './support/bd.ts';
import { expectFailure, git, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';
import { gitAuthEnv, remoteEnv, startServe, type RunningServe } from './support/town-api.ts';

interface Mr {
  id: string;
  bead: string;
  branch: string;
  head: string;
  status: string;
}

describe('gt mq submit as a client of the town API', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  let serve: RunningServe;
  const tokens: Record<string, string> = {};
  const repo = (): string => join(town, 'app', '.repo.git');

  beforeAll(async () => {
    const t = tempDir('town api mq submit');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'one\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
    gtJson(town, ['rig', 'add', 'lib', join(base, 'app src')]);
    gtJson(town, ['crew', 'add', 'bob', '--rig', 'app']);
    tokens['app/crew/bob'] = gtJson<{ file: string }>(town, ['token', 'issue', 'app/crew/bob']).file;
    serve = await startServe(town);
  }, 60_000);
  afterAll(async () => {
    await serve?.stop();
    cleanup();
  });

  it("pushes the branch from the caller's clone, then queues it in the town", () => {
    const id = gtJson<{ id: string }>(town, ['bd', 'create', '--rig', 'app', 'Fix the login']).id;
    // bob's own clone, on his machine: cloned over the town's git endpoint with his token.
    const ws = join(base, 'bob laptop');
    const auth = gitAuthEnv(readFileSync(tokens['app/crew/bob']!, 'utf8').trim());
    const clone = spawnSync('git', ['clone', '-q', `${serve.url}/git/app.git`, ws], {
      encoding: 'utf8',
      env: cleanEnv(auth),
    });
    expect(clone.status, clone.stderr).toBe(0);
    git(ws, ['switch', '-q', '-c', 'fix/login']);
    writeFileSync(join(ws, 'login.txt'), 'fixed\n');
    git(ws, ['add', '-A']);
    git(ws, ['-c', 'user.name=bob', '-c', 'user.email=bob@example.com', 'commit', '-q', '-m', 'fix login']);
    const head = git(ws, ['rev-parse', 'HEAD']).trim();

    const env = remoteEnv(serve.url, tokens['app/crew/bob']!);
    const r = gt(ws, ['mq', 'submit', '--issue', id], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^Submitted fix/login \\(${head.slice(0, 12)}, 1 commit\\) for ${id}: merge request mr-\\S+ is queued in app\\.$`,
        'm',
      ),
    );
    // The branch is in the rig's repository at bob's commit, and the queue holds it.
    expect(git(repo(), ['rev-parse', 'refs/heads/fix/login']).trim()).toBe(head);
    const queued = gtJson<Mr[]>(town, ['mq', 'list', 'app']);
    expect(queued).toEqual([expect.objectContaining({ bead: id, branch: 'fix/login', head, status: 'queued' })]);
    // Submitting again queues nothing more.
    expect(gt(ws, ['mq', 'submit', '--issue', id], { env }).stdout).toMatch(/was already submitted/);
    expect(gtJson<Mr[]>(town, ['mq', 'list', 'app'])).toHaveLength(1);
  });

  it('refuses, in one line, a submission to another rig, or from a detached HEAD', () => {
    const env = remoteEnv(serve.url, tokens['app/crew/bob']!);
    const ws = join(base, 'bob laptop');
    const head = git(ws, ['rev-parse', 'HEAD']).trim();
    expectFailure(
      gt(ws, ['mq', 'submit', '--branch', 'fix/login', '--rig', 'lib', '--head', head], { env }),
      1,
      /app\/crew\/bob's token may not submit to rig lib/,
    );
    git(ws, ['switch', '-q', '--detach']);
    expectFailure(gt(ws, ['mq', 'submit'], { env }), 2, /HEAD is detached/);
  });
});
