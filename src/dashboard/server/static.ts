// The page and its assets: plain files from src/dashboard/web (found from the install root, so the bundle finds
// them too), read from disk on each request so an edited file shows on reload. No CDN, no bundler.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { Hono } from 'hono';
import { installRoot } from '../../kernel/index.ts';
import { HttpError } from './errors.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** `<install>/src/dashboard/web`, else `<install>/dist/web` (a packed install). */
export function defaultWebDir(): string {
  const root = installRoot();
  const src = join(root, 'src', 'dashboard', 'web');
  return existsSync(src) ? src : join(root, 'dist', 'web');
}

/** The file under `dir` for a request path, or undefined: no `..`, no dot-files, known types only. */
export function resolveAsset(dir: string, rel: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rel);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.split('/').some((p) => p.startsWith('.'))) return undefined;
  const path = normalize(join(dir, decoded));
  if (!path.startsWith(dir + sep) || !(extname(path) in TYPES)) return undefined;
  try {
    return statSync(path).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

function fileResponse(path: string, cache: string): Response {
  const body = readFileSync(path);
  return new Response(body, {
    headers: {
      'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
      'cache-control': cache,
      'x-content-type-options': 'nosniff',
    },
  });
}

export function mountStatic(app: Hono, webDir: string): void {
  app.get('/', () => {
    const index = join(webDir, 'index.html');
    if (!existsSync(index))
      throw new HttpError(404, 'GT_NOT_FOUND', `the dashboard page is missing (${index})`, {
        hint: 'reinstall Gas Town (npm install)',
      });
    return fileResponse(index, 'no-store');
  });
  app.get('/favicon.ico', (c) => {
    const path = resolveAsset(webDir, 'favicon.ico');
    return path ? fileResponse(path, 'max-age=3600') : c.body(null, 204);
  });
  app.get('/assets/*', (c) => {
    const rel = c.req.path.slice('/assets/'.length);
    const path = resolveAsset(webDir, rel);
    if (!path) throw new HttpError(404, 'GT_NOT_FOUND', `no asset ${rel}`);
    return fileResponse(path, 'no-cache');
  });
}
