// The console's built files (dist/renderer, made by Vite) as both the browser console (static-files.ts) and the
// desktop window's app:// scheme (main/app-protocol.ts) serve them: where they are, which file a request names
// (never one outside the folder, never a dotfile) and the content types that are served.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/renderer, next to dist/server and dist/main (this file is dist/server/http/static-assets.js). */
export const RENDERER_DIR = fileURLToPath(new URL('../../renderer/', import.meta.url));

/** Content type by extension; a file of any other type is not served. */
export const STATIC_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The content type `file` is served with (by its extension, in `types`), or undefined when it is not served. */
export function staticType(file: string, types: Readonly<Record<string, string>> = STATIC_TYPES): string | undefined {
  return types[path.extname(file).toLowerCase()];
}

/**
 * The file below `root` that `relative` names ('/'-separated, already URL-decoded), or null when it names none:
 * a NUL, a `..` or dot segment (no dotfiles), or a path that resolves outside the root.
 */
export function resolveStaticFile(root: string, relative: string): string | null {
  if (relative.includes('\0') || relative.split('/').some((seg) => seg === '..' || seg.startsWith('.'))) return null;
  const base = path.resolve(root);
  const file = path.resolve(base, relative);
  return file.startsWith(base + path.sep) ? file : null;
}
