// Test-only module: handlers that fail on purpose, asynchronously, at each place a module can hook (an iq payload on
// the router, a pre-auth iq on the stream, a lifecycle listener), to show the server answers internal-server-error
// where there is a stanza to answer, logs once, and keeps serving (issue 13).
import type { ServerModule } from '../../server/modules/module.js';

export const NS_FAIL = 'urn:parley:test:fail';
/** In every failure's message, so a test can count the log lines. */
export const FAILURE_TEXT = 'deliberate failure of a test handler';

async function failLater(where: string): Promise<never> {
  await new Promise((r) => setImmediate(r));
  throw new Error(`${FAILURE_TEXT} (${where})`);
}

export const failingHandlersModule: ServerModule = {
  name: 'failing-handlers',
  spec: 'test only: asynchronous handlers that reject',
  load(ctx) {
    ctx.router.hookIq('get', ['self', 'host'], NS_FAIL, 'query', () => failLater('iq'));
    ctx.preAuthIq.set(NS_FAIL, () => failLater('pre-auth iq'));
    ctx.router.events.on('resource-available', () => failLater('resource-available listener'));
  },
};
