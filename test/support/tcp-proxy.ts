import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of the test database that a test can take down (connections cut and
 * refused, as when the server dies) or freeze (connections kept but nothing passes, as when the
 * server stops answering), and bring back.
 */
export class TcpProxy {
  private server?: Server;
  private readonly pairs = new Set<[Socket, Socket]>();
  private mode: 'open' | 'down' | 'frozen' = 'open';
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** The proxy in front of the server `url` names: the same URL with the proxy's port. */
  static async for(url: string): Promise<{ proxy: TcpProxy; url: string }> {
    const target = new URL(url);
    const proxy = new TcpProxy(target.hostname, Number(target.port));
    await proxy.start();
    target.port = String(proxy.port);
    return { proxy, url: target.toString() };
  }

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (this.mode === 'down') {
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, this.targetHost);
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      if (this.mode === 'frozen') for (const s of pair) s.pause();
      client.pipe(upstream);
      upstream.pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  /** Cuts every connection and refuses new ones. */
  down(): void {
    this.mode = 'down';
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
  }

  /** Keeps connections open but lets nothing through. */
  freeze(): void {
    this.mode = 'frozen';
    for (const pair of this.pairs) for (const s of pair) s.pause();
  }

  up(): void {
    this.mode = 'open';
    for (const pair of this.pairs) for (const s of pair) s.resume();
  }

  async close(): Promise<void> {
    this.down();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
