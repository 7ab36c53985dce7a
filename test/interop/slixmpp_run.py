"""Shared by the slixmpp interop scripts: run a client until it disconnects (or the timeout), then let slixmpp's own
tasks finish so the interpreter exits quietly."""
import asyncio


def run_until_disconnected(client, host: str, port: int, timeout: float) -> None:
    # force_starttls (slixmpp's default) refuses to go on without TLS.
    client.connect(address=(host, port))
    loop = asyncio.get_event_loop()
    try:
        loop.run_until_complete(asyncio.wait_for(client.disconnected, timeout))
    except asyncio.TimeoutError:
        client.outcome = f'FAIL no result within {timeout} seconds ({client.outcome})'
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
