# A client that connects a blocking socket and then wraps it in a
# StreamReader/StreamWriter (as published TCP client demos do), talking to
# an asyncio echo server in the same loop: each echo arrives, and a ticker
# task keeps running while the client waits for it.
import os
import socket

import asyncio

PORT = int(os.getenv("ASYNCIO_TEST_PORT") or "47932")
ticks = [0]


async def ticker():
    while True:
        await asyncio.sleep_ms(5)
        ticks[0] += 1


async def echo(reader, writer):
    while True:
        line = await reader.readline()
        if not line:
            break
        await asyncio.sleep_ms(60)  # the server takes its time
        writer.write(b"echo " + line)
        await writer.drain()
    writer.close()
    await writer.wait_closed()


async def main():
    asyncio.create_task(ticker())
    srv = await asyncio.start_server(echo, "127.0.0.1", PORT)
    s = socket.socket()
    s.connect(socket.getaddrinfo("127.0.0.1", PORT)[0][-1])  # blocking, before the streams
    print("connected a blocking socket")
    r = asyncio.StreamReader(s)
    w = asyncio.StreamWriter(s, {})
    for i in range(9):
        w.write(b"line %d\n" % i)
        await w.drain()
        before = ticks[0]
        line = await r.readline()
        print("client got", line)
        print("the ticker ran while the client waited:", ticks[0] - before > 3)
    w.write(b"bye\n")
    await w.drain()
    print("client got", await r.readline())  # (asyncio blocks in read(100) on a blocking socket)
    w.close()
    await w.wait_closed()
    srv.close()
    await srv.wait_closed()
    print("done")


asyncio.run(main())
