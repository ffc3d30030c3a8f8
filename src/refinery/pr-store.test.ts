// The pull_requests table: a PR remembers every request it carried, also in a town whose table predates that list.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initStore, Store } from '../beads/index.ts';
import { insertPr, prsOfMrs, PULL_REQUESTS_PART } from './pr-store.ts';

const dirs: string[] = [];
function tempStore(): Store {
  const root = mkdtempSync(join(tmpdir(), 'gt pr store '));
  dirs.push(root);
  initStore(root, { prefix: 'pr' });
  return Store.open({ dir: join(root, '.beads'), root, kind: 'standalone' }, { env: { BD_ACTOR: 'test' } });
}
const row = (mr: string, head: string) => ({
  rig: 'app',
  number: 7,
  repo: 'acme/app',
  url: 'https://github.test/acme/app/pull/7',
  node_id: 'PR_7',
  branch: 'polecat/a',
  mr,
  head,
  state: 'open' as const,
  opened_at: '2026-12-06T00:00:00Z',
});

afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('pull_requests', () => {
  it('a rework takes the PR over, and the request it reworked still finds its PR', () => {
    const s = tempStore();
    try {
      insertPr(s, row('mr-first', 'a'.repeat(40)));
      insertPr(s, row('mr-rework', 'b'.repeat(40)));
      insertPr(s, row('mr-rework', 'c'.repeat(40))); // the same request again: listed once
      const prs = prsOfMrs(s, ['mr-first', 'mr-rework', 'mr-other']);
      expect([...prs.keys()].sort()).toEqual(['mr-first', 'mr-rework']);
      expect(prs.get('mr-first')).toMatchObject({
        number: 7,
        mr: 'mr-rework',
        head: 'c'.repeat(40),
        mrs: '["mr-first","mr-rework"]',
      });
    } finally {
      s.close();
    }
  });

  it("a table made before the list was kept (version 1) gets each PR's current request as its list", () => {
    const old = tempStore();
    old.use({ name: 'pull_requests', migrations: [PULL_REQUESTS_PART.migrations[0]!] });
    old.write(() =>
      old.db.run(
        "INSERT INTO pull_requests (rig, number, repo, url, node_id, branch, mr, head, state, opened_at, updated_at) VALUES ('app', 3, 'acme/app', 'u', 'n', 'b', 'mr-old', 'h', 'merged', 't', 't')",
      ),
    );
    expect(prsOfMrs(old, ['mr-old']).get('mr-old')?.number).toBe(3); // read before the upgrade
    old.close();
    // This version's code opens it: the first write there upgrades the table.
    const s = Store.open(
      { dir: join(dirs[0]!, '.beads'), root: dirs[0]!, kind: 'standalone' },
      { env: { BD_ACTOR: 'test' } },
    );
    try {
      expect(prsOfMrs(s, ['mr-old']).get('mr-old')?.number).toBe(3);
      insertPr(s, { ...row('mr-new', 'd'.repeat(40)), number: 4 });
      expect(prsOfMrs(s, ['mr-old']).get('mr-old')).toMatchObject({ number: 3, mrs: '["mr-old"]' });
      expect(prsOfMrs(s, ['mr-new']).get('mr-new')).toMatchObject({ number: 4, mrs: '["mr-new"]' });
    } finally {
      s.close();
    }
  });
});
