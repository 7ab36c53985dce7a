// The console's built files (dist/renderer, made by Vite): served read-only from that folder, never outside it.
// Hashed assets are cached for good; index.html is always fetched again.
import { promises as fs } from 'node:fs';
import type http from 'node:http';
import { securityHeaders, sendPage } from './responses.js';
import { RENDERER_DIR, resolveStaticFile, staticType } from './static-assets.js';

export { RENDERER_DIR };

export class StaticFiles {
  constructor(readonly root: string = RENDERER_DIR) {}

  /** Serve `relative` (already URL-decoded, '/'-separated, below the root); false when there is no such file. */
  async serve(req: http.IncomingMessage, res: http.ServerResponse, relative: string): Promise<boolean> {
    const file = resolveStaticFile(this.root, relative);
    if (!file) return false;
    const type = staticType(file);
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
