// Counts chat messages (message stanzas with a body) that local clients send, for the console's messages per
// minute. It hooks the router ahead of every module and never handles anything, so delivery is unchanged.
import type { Router, StanzaEvent } from '../core/router.js';

export interface MessageCounter {
  readonly total: number;
  stop(): void;
}

export function countMessages(router: Router): MessageCounter {
  const counter = { total: 0, stop: (): void => undefined };
  const count = (ev: StanzaEvent): boolean => {
    if (ev.origin !== null && ev.stanza.getChild('body') !== undefined) counter.total++;
    return false;
  };
  const offs = ['message/bare', 'message/full', 'message/host'].map((key) => router.hook(key, count, Number.MAX_SAFE_INTEGER));
  counter.stop = () => offs.forEach((off) => off());
  return counter;
}
