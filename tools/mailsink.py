#!/usr/bin/python3
"""The dev and test stacks' mail sink: a real SMTP server (Debian's python3-aiosmtpd) on
loopback that writes each message it accepts, as received, to DIR/<time>-<n>.eml.

    tools/mailsink.py HOST PORT DIR
"""
import asyncio
import os
import signal
import sys
import time

from aiosmtpd.controller import Controller


class EmlWriter:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{os.getpid()}-{self.count:05d}.eml"
        tmp = os.path.join(self.folder, "." + name)
        with open(tmp, "wb") as f:  # written whole, then renamed: readers never see half
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(self.folder, name))
        return "250 Message accepted"


def main():
    host, port, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.makedirs(folder, exist_ok=True)
    controller = Controller(EmlWriter(folder), hostname=host, port=port)
    controller.start()
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    main()
