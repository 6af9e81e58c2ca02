import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  at: number;
}

/**
 * A real HTTP server on 127.0.0.1 (port 0) with a route table the test fills. Unknown paths are
 * 404. Every request is recorded; close() drops stalled connections too.
 */
export class FixtureServer {
  readonly routes = new Map<string, Handler>();
  readonly requests: RecordedRequest[] = [];
  private server: Server | null = null;
  base = '';
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      this.requests.push({ path, headers: req.headers, at: performance.now() });
      const handler = this.routes.get(path);
      if (!handler) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      Promise.resolve(handler(req, res)).catch((error: unknown) => {
        res.destroy(error as Error);
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
    this.base = `http://127.0.0.1:${this.port}`;
    return this;
  }

  url(path: string): string {
    return `${this.base}${path}`;
  }

  route(path: string, handler: Handler): string {
    this.routes.set(path, handler);
    return this.url(path);
  }

  /** Requests to one path. */
  hits(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  reset(): void {
    this.routes.clear();
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A handler sending `body` with the given headers (Content-Length set unless chunked). */
export function send(
  body: Buffer | string,
  headers: Record<string, string> = {},
  status = 200,
): Handler {
  return (_req, res) => {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    res.writeHead(status, { 'content-length': String(bytes.length), ...headers });
    res.end(bytes);
  };
}
