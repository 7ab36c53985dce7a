#!/usr/bin/env python3
"""Interop check for Parley (driven by slixmpp-login.test.ts): log in with slixmpp over STARTTLS, verifying the
server certificate against the given CA for the JID's domain, ping the server (XEP-0199), print "OK <full jid>"
and exit 0. Any failure prints "FAIL <reason>" and exits 1. The SASL mechanisms tried go to stderr."""
import argparse
import logging
import sys

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout
from slixmpp_run import run_until_disconnected


class LoginAndPing(slixmpp.ClientXMPP):
    def __init__(self, jid: str, password: str, cafile: str) -> None:
        super().__init__(jid, password)
        self.ca_certs = cafile
        self.register_plugin('xep_0199')
        self.outcome = 'FAIL disconnected before the session started'
        self.add_event_handler('session_start', self.on_session_start)
        self.add_event_handler('failed_all_auth', self.on_failed_auth)
        self.refused = []
        self.add_event_handler('failed_auth', lambda _: self.refused.append(self.mechanism()))

    def mechanism(self) -> str:
        mech = self['feature_mechanisms'].mech
        return mech.name if mech else 'none'

    async def on_session_start(self, _event) -> None:
        try:
            iq = await self['xep_0199'].send_ping(self.boundjid.domain, timeout=10)
            if iq['type'] == 'result':
                self.outcome = f'OK {self.boundjid.full}'
            else:
                self.outcome = f"FAIL ping answered with type {iq['type']}"
        except IqError as err:
            self.outcome = f"FAIL ping error {err.iq['error']['condition']}"
        except IqTimeout:
            self.outcome = 'FAIL ping timed out'
        self.disconnect()

    def on_failed_auth(self, _event) -> None:
        self.outcome = 'FAIL authentication failed'
        self.disconnect()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument('--jid', required=True)
    parser.add_argument('--password', required=True)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--cafile', required=True)
    parser.add_argument('--timeout', type=float, default=20)
    parser.add_argument('--debug', action='store_true', help='log the XML exchange on stderr')
    args = parser.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.ERROR, format='%(levelname)s %(message)s')

    client = LoginAndPing(args.jid, args.password, args.cafile)
    run_until_disconnected(client, args.host, args.port, args.timeout)
    print(f'SASL mechanisms refused: {client.refused or "none"}; last tried: {client.mechanism()}', file=sys.stderr, flush=True)
    print(client.outcome, flush=True)
    return 0 if client.outcome.startswith('OK ') else 1


if __name__ == '__main__':
    sys.exit(main())
