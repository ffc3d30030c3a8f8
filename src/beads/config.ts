// `.beads/config.toml`: the store's tracked settings (the id prefix).
import { readFileSync } from 'node:fs';
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

/**
 * The file as `bd init` writes it: comments, blank lines and one `prefix = "…"` of plain characters. Every bd call
 * reads it, and the TOML parser's first call costs most of a millisecond; anything else goes to the parser.
 */
const COMMENT = String.raw`[ \t]*(?:#[\t -~\u0080-\uffff]*)?`; // TOML allows no control character but tab in one
const PLAIN = new RegExp(String.raw`^(?:${COMMENT}\n)*prefix = "([\w-]+)"[ \t]*(?:\n${COMMENT})*\n?$`);

export function readBeadsConfig(dir: string): BeadsConfig | undefined {
  const p = configPath(dir);
  let text: string;
  try {
    text = readFileSync(p, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const plain = PLAIN.exec(text);
  if (plain) return { prefix: validatePrefix(plain[1]!) };
  let doc: Record<string, unknown>;
  try {
    doc = parse(text);
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
