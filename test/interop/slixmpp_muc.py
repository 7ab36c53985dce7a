#!/usr/bin/env python3
"""Group chat interop check for Parley (driven by slixmpp-muc.test.ts): log in with slixmpp (certificate checked
against the given CA), join the room with XEP-0045 (join_muc_wait: presences, self-presence, subject), print
"JOINED <sorted occupant nicks>", then answer the first groupchat body "ping" from another occupant with "pong"
and print "HEARD <from>", then leave and exit 0. Any failure prints "FAIL <reason>" and exits 1."""
import argparse
import logging
import sys

import slixmpp
from slixmpp_run import run_until_disconnected


class RoomGuest(slixmpp.ClientXMPP):
    def __init__(self, jid: str, password: str, cafile: str, room: str, nick: str) -> None:
        super().__init__(jid, password)
        self.ca_certs = cafile
        self.room = room
        self.nick = nick
        self.register_plugin('xep_0045')
        self.outcome = 'FAIL disconnected before the session started'
        self.add_event_handler('session_start', self.on_session_start)
        self.add_event_handler('groupchat_message', self.on_groupchat)
        self.joined = False

    async def on_session_start(self, _event) -> None:
        try:
            await self['xep_0045'].join_muc_wait(self.room, self.nick, maxstanzas=0, timeout=10)
        except Exception as err:  # noqa: BLE001 - any failure is reported as such
            self.outcome = f'FAIL join: {err!r}'
            self.disconnect()
            return
        self.joined = True
        print('JOINED ' + ' '.join(sorted(self['xep_0045'].get_roster(self.room))), flush=True)
        self.outcome = 'FAIL no ping came'

    def on_groupchat(self, msg) -> None:
        if not self.joined or msg['mucnick'] == self.nick or msg['body'] != 'ping':
            return
        self.send_message(mto=self.room, mbody='pong', mtype='groupchat')
        print(f"HEARD {msg['from']}", flush=True)
        self.outcome = 'OK'
        self['xep_0045'].leave_muc(self.room, self.nick)
        self.disconnect()


def main() -> int:
    parser = argparse.ArgumentParser()
    for a in ('--jid', '--password', '--cafile', '--room', '--nick'):
        parser.add_argument(a, required=True)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--timeout', type=float, default=20)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR, format='%(levelname)s %(message)s')
    client = RoomGuest(args.jid, args.password, args.cafile, args.room, args.nick)
    run_until_disconnected(client, args.host, args.port, args.timeout)
    print(client.outcome, flush=True)
    return 0 if client.outcome == 'OK' else 1


if __name__ == '__main__':
    sys.exit(main())
