// The shape of a protocol module: it states its spec and registers its own handlers and disco features, so a
// module can be removed without editing the core (DESIGN.md).
import type { ServerContext } from '../core/context.js';
import type { DiscoRegistry } from './disco-registry.js';
import type { StoreDef } from '../storage/storage.js';

export interface ModuleContext extends ServerContext {
  readonly disco: DiscoRegistry;
}

export interface ServerModule {
  readonly name: string;
  /** One line: the spec it implements, e.g. "XEP-0199: XMPP Ping". */
  readonly spec: string;
  load(ctx: ModuleContext): void | Promise<void>;
  /**
   * The server is stopping: called before any stream closes, so what the module says goes out (XEP-0045's rooms
   * tell their occupants with status 332). Optional.
   */
  stop?(ctx: ModuleContext): void | Promise<void>;
  /**
   * The stores the module opens (with ctx.storage.open in load). Listed so that the account lifecycle can remove an
   * account's data from them with no server running (the CLI opens these without loading the module).
   */
  readonly stores?: readonly StoreDef<unknown>[];
}
