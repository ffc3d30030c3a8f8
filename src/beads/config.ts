// `.beads/config.toml`: the store's tracked settings (the id prefix).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'smol-toml';
import { GtError, messageOf, writeFileAtomic } from '../kernel/index.ts';
import { validatePrefix } from './ids.ts';

export interface BeadsConfig {
  prefix: string;
}

export function configPath(dir: string): string {
  return join(dir, 'config.toml');
}

export function readBeadsConfig(dir: string): BeadsConfig | undefined {
  const p = configPath(dir);
  if (!existsSync(p)) return undefined;
  let doc: Record<string, unknown>;
  try {
    doc = parse(readFileSync(p, 'utf8'));
  } catch (e) {
    throw new GtError('BD_BAD_CONFIG', `${p} is not valid TOML: ${messageOf(e)}`, {
      hint: `fix the file by hand; nothing was changed`,
    });
  }
  if (typeof doc.prefix !== 'string') {
    throw new GtError('BD_BAD_CONFIG', `${p}: key "prefix" must be a string`, {
      hint: 'add a line like prefix = "bd"',
    });
  }
  return { prefix: validatePrefix(doc.prefix) };
}

export function writeBeadsConfig(dir: string, cfg: BeadsConfig): void {
  writeFileAtomic(configPath(dir), `# Beads settings (tracked in git)\n${stringify({ prefix: cfg.prefix })}\n`);
}
