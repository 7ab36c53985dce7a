// Stages what goes into the packaged app, for electron-builder (build/electron-builder.json reads release/stage):
// the built dist/server, dist/main and dist/renderer (no source maps), a package.json with only what the app needs
// at run time, and the production dependencies (`npm ls --omit=dev --omit=optional`). Staging is needed because
// electron-builder packs optional dependencies too, and Electron itself is one here (so that installs succeed where
// its download cannot): packed from the project folder, the app would carry node_modules/electron and its
// downloader. Run by `npm run dist` after the build:  node dist/build/stage-app.js
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project folder (this file is dist/build/stage-app.js). */
export const PROJECT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const STAGE_DIR = path.join(PROJECT_DIR, 'release', 'stage');
/** The parts of dist/ that the app runs. */
export const APP_PARTS = ['dist/server', 'dist/main', 'dist/renderer'] as const;

interface ProjectPackage {
  name: string;
  version: string;
  description?: string;
  license?: string;
  main?: string;
  dependencies?: Record<string, string>;
}

/** package.json of the packaged app: no scripts, no dev or optional dependencies, no build settings. */
export function appPackageJson(pkg: ProjectPackage): Record<string, unknown> {
  return {
    name: pkg.name,
    productName: 'Parley',
    version: pkg.version,
    description: pkg.description ?? 'Parley',
    license: pkg.license ?? 'UNLICENSED',
    author: { name: 'Parley contributors', email: 'parley@parley.invalid' },
    type: 'module',
    main: pkg.main ?? 'dist/main/index.js',
    dependencies: pkg.dependencies ?? {},
  };
}

/** Folders of the installed production dependencies, relative to the project ("node_modules/ltx", …). */
export function productionDependencyDirs(projectDir: string): string[] {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--omit=optional', '--all', '--parseable'], {
    cwd: projectDir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 16 * 1024 * 1024,
  });
  return out.split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && path.resolve(line) !== path.resolve(projectDir))
    .map((line) => path.relative(projectDir, line))
    .filter((rel) => rel.startsWith('node_modules' + path.sep) && !rel.split(path.sep).includes('..'));
}

function copyTree(from: string, to: string, skip: (rel: string, isDir: boolean) => boolean): void {
  const walk = (rel: string): void => {
    const src = path.join(from, rel);
    const stat = fs.lstatSync(src);
    if (skip(rel, stat.isDirectory())) return;
    const dest = path.join(to, rel);
    if (stat.isDirectory()) {
      fs.mkdirSync(dest, { recursive: true });
      for (const name of fs.readdirSync(src)) walk(path.join(rel, name));
    } else if (stat.isFile()) {
      fs.copyFileSync(src, dest);
    }
    // Symbolic links and other special files are not part of the app.
  };
  walk('');
}

export interface StageResult {
  stageDir: string;
  dependencies: string[];
}

export function stageApp(projectDir: string = PROJECT_DIR, stageDir: string = path.join(projectDir, 'release', 'stage')): StageResult {
  for (const part of APP_PARTS) {
    if (!fs.existsSync(path.join(projectDir, part))) {
      throw new Error(`${part} is missing: run "npm run build" first.`);
    }
  }
  if (!fs.existsSync(path.join(projectDir, 'dist', 'renderer', 'index.html'))) {
    throw new Error('dist/renderer/index.html is missing: run "npm run build" first.');
  }
  fs.rmSync(stageDir, { recursive: true, force: true });
  fs.mkdirSync(stageDir, { recursive: true });
  for (const part of APP_PARTS) {
    copyTree(path.join(projectDir, part), path.join(stageDir, part), (rel, isDir) => !isDir && rel.endsWith('.map'));
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(projectDir, 'package.json'), 'utf8')) as ProjectPackage;
  fs.writeFileSync(path.join(stageDir, 'package.json'), JSON.stringify(appPackageJson(pkg), null, 2) + '\n');
  const dependencies = productionDependencyDirs(projectDir);
  for (const dir of dependencies) {
    // A package's own nested node_modules are listed (and copied) separately when they are production ones.
    copyTree(path.join(projectDir, dir), path.join(stageDir, dir), (rel, isDir) => isDir && rel === 'node_modules');
  }
  return { stageDir, dependencies };
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  try {
    const r = stageApp();
    process.stdout.write(`Staged the app in ${path.relative(process.cwd(), r.stageDir) || '.'} with ${r.dependencies.length} production dependencies.\n`);
  } catch (err) {
    process.stderr.write(`stage-app: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
