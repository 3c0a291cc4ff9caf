// A loopback TCP proxy that counts the bytes a server sends: what a page load transfers, on the wire,
// with headers, 304s and worker fetches included and browser-cache hits excluded. Benchmarks report it;
// the browser tests check with it that a warm load fetches (almost) nothing.
import { connect, createServer, type Server } from 'node:net';

export interface CountingProxy {
  url: string;
  /** Bytes the server sent to the browser since the last reset. */
  received(): number;
  reset(): void;
  close(): Promise<void>;
}

/** A loopback TCP proxy to `target` (http://host:port/) that counts the bytes flowing to the client. */
export async function countingProxy(target: string): Promise<CountingProxy> {
  const { hostname, port } = new URL(target);
  let bytes = 0;
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    upstream.on('data', (d: Buffer) => (bytes += d.length));
    client.pipe(upstream).on('error', () => client.destroy());
    upstream.pipe(client).on('error', () => upstream.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}/`,
    received: () => bytes,
    reset: () => (bytes = 0),
    close: () => new Promise((r) => {
      server.close(() => r());
      (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    }),
  };
}
