"""An HTTP/1.1 server that stalls: every response due in the first
STALL seconds of each PERIOD waits until that stall ends (a GC pause, a
failover).  The coordinated-omission test runs it in the peer namespace.

    stall_server.py PORT [PERIOD STALL]

It prints "ready" once it listens, and "served N" when it ends (SIGTERM).
"""

import asyncio
import signal
import sys
import time

BODY = b"ok\n"
RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n"
            b"Content-Type: text/plain\r\n\r\n" % len(BODY)) + BODY


class Stall:
    def __init__(self, period, stall):
        self.t0 = time.monotonic()
        self.period = period
        self.stall = stall
        self.served = 0

    def hold(self):
        """Seconds the response must wait now."""
        into = (time.monotonic() - self.t0) % self.period
        return self.stall - into if into < self.stall else 0.0


async def serve(stall, reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            if not head:
                break
            wait = stall.hold()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(RESPONSE)
            await writer.drain()
            stall.served += 1
            if b"connection: close" in head.lower():
                break
    except (asyncio.IncompleteReadError, ConnectionError,
            asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def main():
    port = int(sys.argv[1])
    period = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
    hold = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    stall = Stall(period, hold)
    server = await asyncio.start_server(
        lambda r, w: serve(stall, r, w), "0.0.0.0", port, backlog=1024)
    done = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(
            sig, lambda: done.done() or done.set_result(None))
    print("ready", flush=True)
    async with server:
        await done
    print("served %d" % stall.served, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
