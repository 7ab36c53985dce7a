#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through `prepare`).
import('../dist/server/cli.js').catch((err) => {
  console.error('parley: the program is not built. Run `npm run build` in the Parley folder, then try again.');
  console.error(String(err && err.message ? err.message : err));
  process.exit(1);
});
