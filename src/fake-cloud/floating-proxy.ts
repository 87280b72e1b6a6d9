// Floating IPs of the local cloud: a TCP listener on the Floating IP's loopback address for
// each forwarded port, relaying every connection to the same port of whichever server the IP
// is assigned to. Moving the IP cuts the connections to the old server, as on Hetzner, where
// packets to the moved address reach the new server (which knows none of those connections).
import { connect, createServer, type Server, type Socket } from "node:net";

interface Route {
  target?: string;
  listeners: Server[];
  open: Set<Socket>;
}

export class FloatingProxy {
  private readonly routes = new Map<string, Route>();

  constructor(private readonly ports: readonly number[]) {}

  /** Sends the address's traffic to `target` (a server's address), or nowhere. */
  async route(address: string, target: string | undefined): Promise<void> {
    let r = this.routes.get(address);
    if (!r) {
      r = { listeners: [], open: new Set() };
      this.routes.set(address, r);
      for (const port of this.ports) r.listeners.push(await this.listen(address, port, r));
    }
    if (r.target === target) return;
    r.target = target;
    for (const s of r.open) s.destroy();
    r.open.clear();
  }

  /** Where the address points now (tests, status output). */
  targetOf(address: string): string | undefined {
    return this.routes.get(address)?.target;
  }

  private listen(address: string, port: number, r: Route): Promise<Server> {
    const server = createServer((client) => this.relay(client, port, r));
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, address, () => resolve(server));
    });
  }

  private relay(client: Socket, port: number, r: Route): void {
    if (!r.target) return void client.destroy();
    const upstream = connect(port, r.target);
    const pair = [client, upstream];
    for (const s of pair) {
      r.open.add(s);
      s.on("error", () => pair.forEach((x) => x.destroy()));
      s.on("close", () => (r.open.delete(s), pair.forEach((x) => x.destroy())));
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  async close(): Promise<void> {
    for (const r of this.routes.values()) {
      for (const s of r.open) s.destroy();
      await Promise.all(r.listeners.map((l) => new Promise<void>((res) => l.close(() => res()))));
    }
    this.routes.clear();
  }
}
