// A TCP proxy on 127.0.0.1 in front of the local stack that injects network faults, as a flaky
// network would: `cut` resets every connection (RST) and refuses new ones, `blackhole` keeps
// connections open but nothing gets through (no FIN, no RST — a half-open link; bytes are held, as
// TCP would keep retransmitting them, and delivered if the link returns before either end gives
// up), `delay` adds latency to every chunk. Bounded: only local addresses, closed by the test.
import net from 'node:net';

export type ProxyMode = 'pass' | 'cut' | 'blackhole';

export class FaultProxy {
  private server: net.Server | undefined;
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  private readonly held = new Set<() => void>();
  mode: ProxyMode = 'pass';
  /** Extra latency per chunk, each way, ms. */
  delayMs = 0;
  port = 0;
  connections = 0;
  /** Bytes forwarded from the server to clients (what a viewer downloads). */
  bytesToClients = 0;

  constructor(private readonly targetPort: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<void> {
    this.server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** Resets every open connection (RST) and refuses new ones until `restore()`. */
  cut(): void {
    this.mode = 'cut';
    for (const { client, upstream } of this.pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  /** Keeps connections open but drops every byte, both ways, until `restore()`. */
  blackhole(): void {
    this.mode = 'blackhole';
  }

  restore(): void {
    this.mode = 'pass';
    for (const flush of [...this.held]) flush();
    this.held.clear();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private accept(client: net.Socket): void {
    client.on('error', () => undefined);
    if (this.mode === 'cut') {
      client.resetAndDestroy();
      return;
    }
    this.connections++;
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    upstream.on('error', () => client.destroy());
    const pair = { client, upstream };
    this.pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket) => {
      const send = (chunk: Buffer) => {
        if (this.delayMs > 0) setTimeout(() => to.writable && to.write(chunk), this.delayMs);
        else if (to.writable) to.write(chunk);
      };
      from.on('data', (chunk: Buffer) => {
        if (from === upstream) this.bytesToClients += chunk.length;
        if (this.mode === 'pass') send(chunk);
        else if (this.mode === 'blackhole') this.held.add(() => send(chunk));
      });
      const finish = (how: 'end' | 'close') => {
        const act = () => (how === 'end' ? to.end() : to.destroy());
        if (this.mode === 'pass') act();
        else if (this.mode === 'blackhole') this.held.add(act);
      };
      from.on('end', () => finish('end'));
      from.on('close', () => {
        this.pairs.delete(pair);
        finish('close');
      });
    };
    forward(client, upstream);
    forward(upstream, client);
  }
}
