// The one-time setup link of a fresh data folder: a random token that `parley serve` prints, without which the
// setup wizard does not open. It stops working once setup is complete.
import { randomBytes } from 'node:crypto';
import { sameSecret } from './console-sessions.js';

export const SETUP_TOKEN_HEADER = 'x-parley-setup-token';

export class SetupGate {
  private current: string | null;

  constructor(needed: boolean) {
    this.current = needed ? randomBytes(24).toString('base64url') : null;
  }

  /** The token while setup is open, else null. */
  get token(): string | null {
    return this.current;
  }

  accepts(candidate: unknown): boolean {
    return this.current !== null && typeof candidate === 'string' && sameSecret(candidate, this.current);
  }

  close(): void {
    this.current = null;
  }
}
