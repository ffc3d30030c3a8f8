// gt rig add|list|show|remove against real repositories: local paths, file:// URLs, empty repos, other branches, beads.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitAll, expectFailure, git, gt, gtJson, ledgerLine, sourceRepo, tempDir } from './support/gt.ts';

interface Added {
  rig: { name: string; git_url: string; default_branch: string; prefix: string; merge_strategy: string };
  path: string;
  initial_commit: boolean;
  beads?: { found: number; imported: number; other_prefixes: Record<string, number> };
}
interface Summary {
  name: string;
  prefix: string;
  default_branch: string;
  polecats: string[];
  crew: string[];
}

describe('gt rig', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  const src = (name: string): string => join(base, 'sources', name);

  beforeAll(() => {
    const t = tempDir('gt rig');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'the town');
    gtJson(base, ['install', town]);
    sourceRepo(src('trunk repo'), 'trunk', { 'README.md': '# tools\n' });
    sourceRepo(src('plain'), 'main', { 'a.txt': 'a\n' });
    sourceRepo(src('empty'), 'main');
    sourceRepo(src('tracked beads'), 'main', {
      '.beads/config.toml': 'prefix = "shop"\n',
      '.beads/issues.jsonl': `${[ledgerLine('old-1', 'from another prefix'), ledgerLine('shop-a1', 'first'), ledgerLine('shop-b2', 'second')].join('\n')}\n`,
    });
  });
  afterAll(() => cleanup());

  it('adds a local path with spaces whose default branch is trunk', () => {
    const r = gtJson<Added>(town, ['rig', 'add', 'tools', join('..', 'sources', 'trunk repo')]);
    expect(r.rig).toMatchObject({
      name: 'tools',
      git_url: src('trunk repo'),
      default_branch: 'trunk',
      prefix: 'tools',
      merge_strategy: 'mr',
    });
    expect(r.initial_commit).toBe(false);
    const dir = join(town, 'tools');
    expect(git(join(dir, '.repo.git'), ['rev-parse', '--is-bare-repository']).trim()).toBe('true');
    expect(git(join(dir, 'refinery'), ['branch', '--show-current']).trim()).toBe('trunk');
    expect(readFileSync(join(dir, 'refinery', 'README.md'), 'utf8')).toBe('# tools\n');
    const cfg = JSON.parse(readFileSync(join(dir, 'rig.json'), 'utf8')) as Record<string, unknown>;
    expect(cfg).toMatchObject({
      version: 1,
      name: 'tools',
      default_branch: 'trunk',
      prefix: 'tools',
      gates: {},
      merge_strategy: 'mr',
    });
  });

  it('adds a file:// URL, with --prefix and --branch, and refuses a branch that does not exist', () => {
    const url = `file://${src('plain')}`;
    expectFailure(gt(town, ['rig', 'add', 'nobranch', url, '--branch', 'develop']), 2, /no branch "develop"/);
    expect(existsSync(join(town, 'nobranch'))).toBe(false);
    const r = gtJson<Added>(town, ['rig', 'add', 'plain', url, '--prefix', 'pl', '--branch', 'main']);
    expect(r.rig).toMatchObject({ git_url: url, default_branch: 'main', prefix: 'pl' });
    expect(readFileSync(join(town, 'plain', 'refinery', 'a.txt'), 'utf8')).toBe('a\n');
  });

  it('adds a repository with no commits at all, giving it a first commit branches can start from', () => {
    const r = gtJson<Added>(town, ['rig', 'add', 'blank', src('empty')]);
    expect(r.initial_commit).toBe(true);
    expect(r.rig.default_branch).toBe('main');
    const refinery = join(town, 'blank', 'refinery');
    expect(git(refinery, ['rev-list', '--count', 'HEAD']).trim()).toBe('1');
    git(join(town, 'blank', '.repo.git'), [
      'worktree',
      'add',
      '-q',
      '-b',
      'polecat/x/blank-1',
      join(town, 'blank', 'polecats', 'x'),
      'main',
    ]);
    expect(git(join(town, 'blank', 'polecats', 'x'), ['branch', '--show-current']).trim()).toBe('polecat/x/blank-1');
  });

  it('imports the beads a repository tracks, under the prefix of its own ledger', () => {
    const r = gtJson<Added>(town, ['rig', 'add', 'shop', src('tracked beads')]);
    expect(r.rig.prefix).toBe('shop');
    expect(r.beads).toMatchObject({ found: 3, imported: 3, other_prefixes: { old: 1 } });
    const text = gt(town, ['rig', 'add', 'shop2', src('tracked beads')]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/have prefix "shop", not "shop2"/);
    const ids = gtJson<{ id: string }[]>(join(town, 'shop', 'refinery'), ['bd', 'list'])
      .map((b) => b.id)
      .sort();
    expect(ids).toEqual(['old-1', 'shop-a1', 'shop-b2']);
  });

  it('refuses bad names, taken names and prefixes, and unreachable URLs, leaving nothing behind', () => {
    const before = readdirSync(town).sort();
    expectFailure(gt(town, ['rig', 'add', 'a/b', src('plain')]), 2, /invalid rig name "a\/b": it contains a slash/);
    expectFailure(gt(town, ['rig', 'add', 'a b', src('plain')]), 2, /invalid rig name "a b": it contains white space/);
    expectFailure(gt(town, ['rig', 'add', '.hidden', src('plain')]), 2, /starts with "\."/);
    expectFailure(gt(town, ['rig', 'add', 'tools', src('plain')]), 1, /already has a rig named "tools"/);
    expectFailure(
      gt(town, ['rig', 'add', 'other', src('plain'), '--prefix', 'pl']),
      2,
      /prefix "pl" is already used by rig "plain"/,
    );
    expectFailure(
      gt(town, ['rig', 'add', 'gone', 'file:///nonexistent/repo.git']),
      1,
      /cannot clone file:\/\/\/nonexistent\/repo\.git/,
    );
    expectFailure(gt(town, ['rig', 'add', 'gone', join(base, 'no such dir')]), 2, /no repository at/);
    expect(readdirSync(town).sort()).toEqual(before);
  });

  it('lists and shows rigs, and names an unknown rig', () => {
    const list = gtJson<Summary[]>(town, ['rig', 'list']);
    expect(list.map((r) => r.name)).toEqual(['blank', 'plain', 'shop', 'shop2', 'tools']);
    expect(list.find((r) => r.name === 'blank')?.polecats).toEqual(['x']);
    const show = gtJson<Summary & { refinery_head: string; agents: Record<string, string> }>(
      join(town, 'tools', 'refinery'),
      ['rig', 'show', 'tools'],
    );
    expect(show).toMatchObject({
      name: 'tools',
      default_branch: 'trunk',
      agents: { polecat: 'claude', crew: 'claude' },
    });
    expect(show.refinery_head).toMatch(/^[0-9a-f]{7,}$/);
    expectFailure(gt(town, ['rig', 'show', 'nope']), 2, /no rig named "nope"/);
    expectFailure(gt(town, ['rig', 'remove', 'nope']), 2, /no rig named "nope"/);
  });

  it('finds the town through GT_ROOT from outside it, and says how to get one when there is none', () => {
    const outside = join(base, 'sources');
    expect(gtJson<Summary[]>(outside, ['rig', 'list'], { env: { GT_ROOT: town } }).length).toBe(5);
    expectFailure(gt(outside, ['rig', 'list']), 1, /no town found in .*sources or any parent directory/);
    expectFailure(
      gt(outside, ['rig', 'list'], { env: { GT_ROOT: outside } }),
      1,
      /GT_ROOT is .*sources, which holds no town\.json/,
    );
  });

  it('refuses to remove a rig while a polecat holds uncommitted or unmerged work, naming it', () => {
    const polecat = join(town, 'blank', 'polecats', 'x');
    writeFileSync(join(polecat, 'wip.txt'), 'half done\n');
    expectFailure(gt(town, ['rig', 'remove', 'blank']), 1, /polecat x holds 1 uncommitted file \(wip\.txt\)/);
    commitAll(polecat, 'work');
    expectFailure(gt(town, ['rig', 'remove', 'blank']), 1, /polecat x holds 1 commit not on main/);
    expect(existsSync(polecat)).toBe(true);
    git(join(town, 'blank', 'refinery'), ['merge', '-q', '--ff-only', 'polecat/x/blank-1']);
    // Landed on the rig's main, but only there: still refused, naming the commit and where it lives.
    const repo = join(town, 'blank', '.repo.git');
    const landed = git(repo, ['rev-parse', 'main']).trim();
    const only = gt(town, ['rig', 'remove', 'blank']);
    expectFailure(
      only,
      1,
      new RegExp(`branch main holds 1 commit not in .*empty: ${landed.slice(0, 12)} "work", in .*blank/\\.repo\\.git`),
    );
    expect(existsSync(polecat)).toBe(true);
    // gt refinery run delivers it to the repository the rig came from (as the hint says); then the rig can go.
    expect(only.stderr).toMatch(/Hint: deliver it first: gt refinery run blank/);
    gtJson(town, ['refinery', 'run', 'blank']);
    expect(git(src('empty'), ['rev-parse', 'main']).trim()).toBe(landed);
    const r = gtJson<{ name: string }>(town, ['rig', 'remove', 'blank']);
    expect(r.name).toBe('blank');
    expect(existsSync(join(town, 'blank'))).toBe(false);
    const shop = gtJson<{ name: string }>(town, ['rig', 'remove', 'shop2']);
    expect(shop.name).toBe('shop2');
    expect(gtJson<{ id: string }[]>(town, ['bd', 'list']).length).toBe(3);
  });

  it('refuses to remove a rig whose landed work is only in its own repository; --force asks for its name and saves a bundle first', () => {
    sourceRepo(src('kept'), 'main', { 'k.txt': 'k\n' });
    gtJson(town, ['rig', 'add', 'keep', src('kept')]);
    gtJson(town, ['rig', 'add', 'free', src('kept')]);
    const rigDir = join(town, 'keep');
    // Work landed on the rig's main that never reached the source (merge_queue.push "never", or a failed delivery).
    writeFileSync(join(rigDir, 'refinery', 'landed.txt'), 'landed\n');
    commitAll(join(rigDir, 'refinery'), 'landed work');
    const sha = git(join(rigDir, '.repo.git'), ['rev-parse', 'main']).trim();
    const refused = gt(town, ['rig', 'remove', 'keep']);
    expectFailure(
      refused,
      1,
      new RegExp(
        `rig "keep" holds work that exists nowhere else: branch main holds 1 commit not in .*kept: ${sha.slice(0, 12)} "landed work"`,
      ),
    );
    expect(refused.stderr).toMatch(/Hint: deliver it first: gt refinery run keep/);
    // --force: the name must be typed (or given with --yes); anything else removes nothing.
    expectFailure(gt(town, ['rig', 'remove', 'keep', '--force', '--yes', 'free']), 2, /was not confirmed/);
    const typedWrong = gt(town, ['rig', 'remove', 'keep', '--force'], { input: 'free\n' });
    expect(typedWrong.code).toBe(2);
    expect(typedWrong.stderr).toMatch(/Type the rig name \(keep\) to remove it/);
    expect(gt(town, ['rig', 'remove', 'keep', '--force'], { input: '' }).code).toBe(2);
    expect(existsSync(rigDir)).toBe(true);
    const typed = gt(town, ['rig', 'remove', 'keep', '--force'], { input: 'keep\n' });
    expect(typed.code, typed.stderr).toBe(0);
    const bundle = /saved first to (.*?\.bundle) /.exec(typed.stdout)![1]!;
    expect(existsSync(rigDir)).toBe(false);
    // The bundle gives the work back.
    const back = join(base, 'from bundle');
    git(base, ['clone', '-q', bundle, back]);
    expect(git(back, ['log', '-1', '--format=%H %s', 'origin/main']).trim()).toBe(`${sha} landed work`);
    // --yes with the name works without a prompt; a rig holding nothing needs no --force at all.
    expect(gtJson<{ name: string; saved: string[] }>(town, ['rig', 'remove', 'free'])).toMatchObject({
      name: 'free',
      saved: [],
    });
  });

  it('says clearly when git is missing and creates nothing', () => {
    const empty = join(base, 'empty bin');
    mkdirSync(empty, { recursive: true });
    const r = gt(town, ['rig', 'add', 'nogit', src('plain')], { env: { PATH: empty } });
    expectFailure(r, 1, /git is not installed or not on PATH/);
    expect(existsSync(join(town, 'nogit'))).toBe(false);
  });

  it("gives beads created inside a rig (or with GT_RIG) the rig's prefix, and the town's elsewhere", () => {
    const inRig = gtJson<{ id: string }>(join(town, 'tools', 'refinery'), ['bd', 'create', 'Fix the build']);
    expect(inRig.id).toMatch(/^tools-/);
    expect(gtJson<{ id: string }>(town, ['bd', 'create', 'Plan the release']).id).toMatch(/^hq-/);
    expect(gtJson<{ id: string }>(town, ['bd', 'create', 'Via GT_RIG'], { env: { GT_RIG: 'tools' } }).id).toMatch(
      /^tools-/,
    );
  });
});
