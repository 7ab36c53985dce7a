// Module resolution hooks (node:module register) for test/unit/main-index.test.ts: 'electron' resolves to the
// stand-in module, so main/index.js runs unchanged without Electron.
interface ResolveResult { url: string; shortCircuit?: boolean; format?: string | null }
type NextResolve = (specifier: string, context: unknown) => Promise<ResolveResult>;

export async function resolve(specifier: string, context: unknown, nextResolve: NextResolve): Promise<ResolveResult> {
  if (specifier === 'electron') return { url: new URL('./fake-electron-module.js', import.meta.url).href, shortCircuit: true };
  return nextResolve(specifier, context);
}
