// The console's built files (dist/renderer, made by Vite): served read-only from that folder, never outside it.
// Hashed assets are cached for good; index.html is always fetched again.
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type http from 'node:http';
import { securityHeaders, sendPage } from './responses.js';

/** dist/renderer, next to dist/server (this file is dist/server/http/static-files.js). */
export const RENDERER_DIR = fileURLToPath(new URL('../../renderer/', import.meta.url));

const TYPES: Record<string, string> = {
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

export class StaticFiles {
  constructor(readonly root: string = RENDERER_DIR) {}

  /** Serve `relative` (already URL-decoded, '/'-separated, below the root); false when there is no such file. */
  async serve(req: http.IncomingMessage, res: http.ServerResponse, relative: string): Promise<boolean> {
    if (relative.includes('\0') || relative.split('/').some((seg) => seg === '..' || seg.startsWith('.'))) return false;
    const file = path.resolve(this.root, relative);
    if (!file.startsWith(path.resolve(this.root) + path.sep)) return false;
    const type = TYPES[path.extname(file).toLowerCase()];
    if (!type) return false;
    let body: Buffer;
    try {
      body = await fs.readFile(file);
    } catch {
      return false;
    }
    securityHeaders(res);
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': body.length,
      'Cache-Control': relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }

  /** index.html, or a page that says how to build the console when it is missing. */
  async serveIndex(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (await this.serve(req, res, 'index.html')) return;
    sendPage(res, 503, 'The console is not built',
      `Parley’s console files are missing from ${this.root}. Run "npm run build" in the Parley folder, then reload this page.`);
  }
}
