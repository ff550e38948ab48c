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
      // pipe() resumes a paused socket: a connection opened while frozen is not piped at all.
      if (this.mode === 'frozen') hold(pair);
      else flow(pair);
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

  /**
   * Keeps connections open but lets nothing through: unpiped as well as paused, since a pipe
   * resumes its source when its destination drains.
   */
  freeze(): void {
    if (this.mode === 'frozen') return;
    this.mode = 'frozen';
    for (const pair of this.pairs) hold(pair);
  }

  up(): void {
    const frozen = this.mode === 'frozen';
    this.mode = 'open';
    if (frozen) for (const pair of this.pairs) flow(pair);
  }

  async close(): Promise<void> {
    this.down();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** Both ways piped (which also resumes both sockets). */
function flow([client, upstream]: [Socket, Socket]): void {
  client.pipe(upstream);
  upstream.pipe(client);
}

/** Nothing passes either way; the bytes wait in the sockets until `flow`. */
function hold([client, upstream]: [Socket, Socket]): void {
  client.unpipe(upstream);
  upstream.unpipe(client);
  client.pause();
  upstream.pause();
}
