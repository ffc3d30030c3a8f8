// The layer order of DESIGN.md §4 is a lint rule (eslint.config.js, docs/architecture.md "Layers"): an upward
// import fails `npm run lint`, and so `npm test` and `npm run check`. Each case lints a small file placed in src/.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { LAYERS } from '../eslint.config.js';

const root = resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root, overrideConfigFile: join(root, 'eslint.config.js') });

/** The layer rules' messages for `code` as if it were the file `filePath` (relative to the repository). */
async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: join(root, filePath) });
  return r!.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
    .map((m) => m.message);
}

describe('the layer rule', () => {
  it('refuses an import of a higher layer, naming both layers and what to do instead', async () => {
    const errors = await layerErrors(
      'src/work/done/upward.ts',
      "import { processQueue } from '../../refinery/index.ts';\nexport const q = processQueue;\n",
    );
    expect(errors).toEqual([
      '\'../../refinery/index.ts\' import is restricted from being used by a pattern. src/work is below src/refinery, so it may not import it: pass the function in from above, or move the shared piece down a layer (docs/architecture.md "Layers").',
    ]);
  });

  it('refuses the lowest layer importing the highest, a type-only import and an import()', async () => {
    expect(
      await layerErrors('src/kernel/upward.ts', "export { registerDone } from '../cli/gt/commands/done.ts';\n"),
    ).toEqual([expect.stringContaining('src/kernel is below src/cli')]);
    expect(
      await layerErrors(
        'src/costs/upward.ts',
        "import type { SendRequest } from '../work/mail/send.ts';\nexport type S = SendRequest;\n",
      ),
    ).toEqual([expect.stringContaining('src/costs is below src/work')]);
    expect(await layerErrors('src/work/later.ts', "export const d = () => import('../daemon/index.ts');\n")).toEqual([
      expect.stringContaining('src/work is below src/daemon'),
    ]);
  });

  it('lets a layer import its own folder and any lower layer', async () => {
    const code =
      "import { a } from '../../refinery/index.ts';\nimport { b } from '../../kernel/index.ts';\nimport { c } from '../live.ts';\nexport const d = [a, b, c];\n";
    expect(await layerErrors('src/dashboard/server/down.ts', code)).toEqual([]);
    expect(
      await layerErrors(
        'src/cli/gt/commands/down.ts',
        "import { a } from '../../../dashboard/index.ts';\nexport const b = a;\n",
      ),
    ).toEqual([]);
  });

  it('keeps bd to kernel, proc, git and beads, and the browser page to its own files', async () => {
    const bd =
      "import { a } from '../../../beads/index.ts';\nimport { b } from '../../../town/index.ts';\nexport const c = [a, b];\n";
    expect(await layerErrors('src/cli/bd/commands/town.ts', bd)).toEqual([
      expect.stringContaining('src/cli/bd is part of bd, which imports only kernel, proc, git, beads'),
    ]);
    const web = "import { a } from './api.js';\nimport { b } from '../server/live.ts';\nexport const c = [a, b];\n";
    expect(await layerErrors('src/dashboard/web/server-code.js', web)).toEqual([
      expect.stringContaining('src/dashboard/web is browser code'),
    ]);
  });

  it('knows every folder of src/, so a new folder gets a place in the order before it can import anything', () => {
    const folders = readdirSync(join(root, 'src'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect(folders.filter((f) => !LAYERS.includes(f))).toEqual([]);
    const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
    expect(LAYERS.filter((l) => !doc.includes(`src/${l}/`))).toEqual([]);
  });
});

describe('imports at run time', () => {
  it('form no cycle between files of src/ (type-only imports aside)', () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(ts|js)$/.test(e.name) && !e.name.endsWith('.test.ts')) files.push(p);
      }
    };
    walk(join(root, 'src'));
    const known = new Set(files);
    const edges = new Map<string, string[]>();
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      const targets = [...src.matchAll(/^(?:import|export)\s+(?!type\s)[^'";]*?from\s+'(\.[^']+)'/gm)].map((m) =>
        resolve(dirname(f), m[1]!),
      );
      edges.set(
        f,
        targets.filter((t) => known.has(t)),
      );
    }
    // Tarjan's strongly connected components: any with two or more files is a cycle.
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string): void => {
      index.set(v, index.size);
      low.set(v, index.get(v)!);
      stack.push(v);
      onStack.add(v);
      for (const w of edges.get(v)!) {
        if (!index.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
      if (low.get(v) !== index.get(v)) return;
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(relative(root, w));
      } while (w !== v);
      if (scc.length > 1) cycles.push(scc.sort());
    };
    for (const f of files) if (!index.has(f)) visit(f);
    expect(files.length).toBeGreaterThan(100);
    expect(cycles).toEqual([]);
  });
});
