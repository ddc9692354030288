import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy to a local port that can take the network away: once down, its port is closed (new connections
 * are refused, ECONNREFUSED) and its open connections are ended. `downAfterFirstResponse` goes down shortly
 * after the first answer came back — e.g. Klaviyo answered the account read, then the network disappeared.
 */
export interface SwitchableProxy {
  url: string;
  down(): void;
  close(): Promise<void>;
}

export async function switchableProxy(
  targetPort: number,
  options: { downAfterFirstResponse?: boolean } = {},
): Promise<SwitchableProxy> {
  const sockets = new Set<Socket>();
  let isDown = false;
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream);
    upstream.pipe(client);
    upstream.once('data', () => {
      // Time for the answer to reach the client before its connection ends.
      if (options.downAfterFirstResponse) setTimeout(down, 50);
    });
  });
  const closed = new Promise<void>((resolve) => server.on('close', () => resolve()));
  const down = () => {
    if (isDown) return;
    isDown = true;
    server.close();
    for (const s of sockets) s.end();
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    down,
    close: async () => {
      down();
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
