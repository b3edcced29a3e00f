import S3rver from 's3rver';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, Agent, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The access key pair s3rver accepts; any other key id is rejected with InvalidAccessKeyId. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** A real s3rver on 127.0.0.1, on a free port, storing into its own temp folder. */
export interface S3TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** Where s3rver keeps buckets and objects (plain files). */
  readonly directory: string;
  /** The bucket created at start (`test-bucket` unless given). */
  readonly bucket: string;
  /** Environment for the standard AWS credential chain and region (no secrets of anyone: s3rver's fixed pair). */
  readonly env: Record<string, string>;
  /** Stops serving at once, cutting open connections (what a crashed server looks like); data stays. */
  stop(): Promise<void>;
  /** Serves again on the same port and folder after `stop()`. */
  start(): Promise<void>;
  /** Stops the server and deletes its folder. Call in afterAll/afterEach. */
  dispose(): Promise<void>;
}

export interface S3TestServerOptions {
  /** Buckets to create; the first is `bucket`. Default `['test-bucket']`. */
  buckets?: string[];
  /**
   * Answer conditional PUTs as AWS S3 does (s3rver ignores If-Match and If-None-Match): `If-None-Match: *` on an
   * existing key and `If-Match` with another ETag get 412 PreconditionFailed, `If-Match` on an absent key 404
   * NoSuchKey; conditional PUTs of one key are checked and applied one at a time, so of racing writers exactly one
   * wins. Off by default: the s3-cache tests cover stores without conditional writes.
   */
  conditionalWrites?: boolean;
}

/** Starts s3rver on 127.0.0.1 on a free port in a fresh temp folder, with the buckets created. */
export async function startS3Server(options: S3TestServerOptions = {}): Promise<S3TestServer> {
  const buckets = options.buckets ?? ['test-bucket'];
  const directory = mkdtempSync(join(tmpdir(), 'ci-opt-s3rver-'));
  let port = 0;
  let instance: S3rver | undefined;
  const sockets = new Set<Socket>();
  const keyQueues = new Map<string, Promise<void>>();

  const start = async () => {
    instance = new S3rver({
      address: '127.0.0.1',
      port,
      silent: true,
      directory,
      configureBuckets: buckets.map((name) => ({ name })),
    });
    if (options.conditionalWrites) instance.middleware.unshift(conditionalPut(instance, keyQueues));
    const address = await instance.run();
    port = address.port;
    instance.httpServer?.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
  };
  const stop = async () => {
    const running = instance;
    instance = undefined;
    if (!running) return;
    const closed = running.close().catch(() => undefined);
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await closed;
  };

  await start();
  return {
    get endpoint() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    directory,
    bucket: buckets[0],
    get env() {
      return {
        AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
        AWS_REGION: 'us-east-1',
      };
    },
    stop,
    start,
    async dispose() {
      await stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * The conditional-PUT middleware (see S3TestServerOptions.conditionalWrites). s3rver writes an object's file and its
 * MD5 in place, so a GET during a PUT can see the new ETag with the old bytes (or a cut body); S3 replaces objects
 * atomically. With conditional writes on, every GET, HEAD, PUT and DELETE of one key is served one at a time (GET
 * bodies are read in full first), which gives the atomic replacement S3 guarantees.
 */
function conditionalPut(server: S3rver, queues: Map<string, Promise<void>>): S3rver['middleware'][number] {
  return async (ctx, next) => {
    const [bucket, ...rest] = ctx.path
      .split('/')
      .slice(1)
      .map((part) => decodeURIComponent(part));
    const key = rest.join('/');
    if (
      !['GET', 'HEAD', 'PUT', 'DELETE'].includes(ctx.method) ||
      !bucket ||
      key === '' ||
      ctx.query.uploadId !== undefined
    )
      return next();
    const id = `${bucket}/${key}`;
    const previous = queues.get(id) ?? Promise.resolve();
    let release = () => {};
    const mine = new Promise<void>((done) => (release = done));
    const chain = previous.then(() => mine);
    queues.set(id, chain);
    await previous;
    try {
      const ifMatch = ctx.method === 'PUT' ? ctx.get('if-match') : '';
      const ifNoneMatch = ctx.method === 'PUT' ? ctx.get('if-none-match') : '';
      if (ifMatch !== '' || ifNoneMatch !== '') {
        const etag = await server.store.getMetadata(bucket, key).then(
          (metadata) => metadata.etag,
          () => undefined,
        );
        const refuse = (status: number, code: string, message: string) => {
          ctx.req.resume();
          ctx.status = status;
          ctx.type = 'application/xml';
          ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
        };
        if (ifNoneMatch === '*' && etag !== undefined)
          return refuse(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
        if (ifMatch !== '' && etag === undefined) return refuse(404, 'NoSuchKey', 'The specified key does not exist.');
        if (ifMatch !== '' && ifMatch !== etag)
          return refuse(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
      }
      await next();
      const body = ctx.body as { pipe?: unknown; [Symbol.asyncIterator]?: () => AsyncIterator<Buffer> } | undefined;
      if (ctx.method === 'GET' && body && typeof body.pipe === 'function' && body[Symbol.asyncIterator]) {
        const chunks: Buffer[] = [];
        for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
        ctx.body = Buffer.concat(chunks);
      }
    } finally {
      release();
      if (queues.get(id) === chain) queues.delete(id);
    }
  };
}

/** Sets `vars` in process.env and returns a function that puts the previous values back. */
export function setEnv(vars: Record<string, string | undefined>): () => void {
  const previous = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(vars);
  return () => apply(previous);
}

/** One request as it reached the proxy: what the store would see. */
export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/bucket/key?uploadId=...` */
  url: string;
  headers: IncomingHttpHeaders;
  /** Status sent back to the client (set once answered). */
  status?: number;
}

/** What the proxy does with a request instead of forwarding it. */
export type ProxyFault =
  | { kind: 'error'; status: number; code: string; message?: string }
  | { kind: 'reset' }
  /** Accept the request and never answer (a hung or overloaded store). */
  | { kind: 'hang' }
  /** Forward, but cut the response body after this many bytes (a truncated transfer). */
  | { kind: 'cut'; afterBytes: number };

/** Decides per request; return undefined to forward it untouched. `index` counts requests from 0. */
export type ProxyRule = (request: RecordedRequest, index: number) => ProxyFault | undefined;

/** A recording, fault-injecting HTTP proxy on 127.0.0.1 in front of an S3 endpoint. */
export interface S3TestProxy {
  readonly endpoint: string;
  /** Every request seen, in arrival order. */
  readonly requests: RecordedRequest[];
  /** The current fault rule; set to undefined to forward everything. */
  rule: ProxyRule | undefined;
  /** Called as response bytes pass through (e.g. to stop the server mid-download). */
  onResponseBytes: ((request: RecordedRequest, bytesSoFar: number) => void) | undefined;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (an endpoint URL) on a free port of 127.0.0.1. */
export async function startS3Proxy(target: string): Promise<S3TestProxy> {
  const targetUrl = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const sockets = new Set<Socket>();
  let index = 0;
  const proxy: S3TestProxy = {
    endpoint: '',
    requests: [],
    rule: undefined,
    onResponseBytes: undefined,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    const record: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: { ...req.headers } };
    proxy.requests.push(record);
    const fault = proxy.rule?.(record, index++);
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'hang') {
      req.resume();
      return;
    }
    if (fault?.kind === 'error') {
      req.resume();
      const body =
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${fault.code}</Code>` +
        `<Message>${fault.message ?? fault.code}</Message></Error>`;
      record.status = fault.status;
      res.writeHead(fault.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const upstream = httpRequest(
      {
        host: targetUrl.hostname,
        port: targetUrl.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (upstreamRes) => {
        record.status = upstreamRes.statusCode;
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        let passed = 0;
        upstreamRes.on('data', (chunk: Buffer) => {
          if (fault?.kind === 'cut' && passed + chunk.length > fault.afterBytes) {
            res.write(chunk.subarray(0, Math.max(0, fault.afterBytes - passed)));
            upstreamRes.destroy();
            res.socket?.destroy();
            return;
          }
          passed += chunk.length;
          if (!res.write(chunk)) {
            upstreamRes.pause();
            res.once('drain', () => upstreamRes.resume());
          }
          proxy.onResponseBytes?.(record, passed);
        });
        upstreamRes.on('end', () => res.end());
        upstreamRes.on('error', () => res.socket?.destroy());
      },
    );
    upstream.on('error', () => res.socket?.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  Object.assign(proxy, { endpoint: `http://127.0.0.1:${port}` });
  return proxy;
}
