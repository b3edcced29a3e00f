import type { AgentOptions, ClientRequest, Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { rememberSentValue, redactUrl } from './redact.ts';

/** How long a store may take to answer and when to stop asking it. */
export interface ResponseWatch {
  /** Time from the last byte of a request sent to the first byte of the answer. */
  firstByteTimeoutMs: number;
  /** After this many requests in a row got no answer in time, the store counts as unresponsive for the client. */
  giveUpAfter: number;
  /** For messages. */
  endpoint: string;
}

/** Requests after the store was found unresponsive fail at once with this (not retried by the SDK). */
export class StoreUnresponsiveError extends Error {
  override readonly name = 'StoreUnresponsive';
  readonly code = 'StoreUnresponsive';
}

/** One watchdog per client: it sees every request (parts, completion and aborts of multipart uploads included). */
class Watchdog {
  private missed = 0;
  private unresponsive?: StoreUnresponsiveError;
  private readonly watch: ResponseWatch;
  constructor(watch: ResponseWatch) {
    this.watch = watch;
  }

  attach(req: ClientRequest): void {
    for (const name of ['authorization', 'x-amz-security-token']) {
      const value = req.getHeader(name);
      if (typeof value === 'string') rememberSentValue(value);
    }
    if (this.unresponsive) {
      const error = this.unresponsive;
      process.nextTick(() => req.destroy(error));
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const seconds = this.watch.firstByteTimeoutMs / 1000;
    req.once('finish', () => {
      timer = setTimeout(() => {
        this.missed++;
        const where = redactUrl(this.watch.endpoint);
        if (this.missed >= this.watch.giveUpAfter && !this.unresponsive) {
          this.unresponsive = new StoreUnresponsiveError(
            `${where} accepted ${this.missed} requests in a row and answered none within ${seconds} s ` +
              '(first-byte-timeout); no further requests are sent to it in this step',
          );
        }
        const error = Object.assign(new Error(`${where} did not answer within ${seconds} s (first-byte-timeout)`), {
          code: 'ETIMEDOUT',
          firstByteTimeout: true,
        });
        req.destroy(this.unresponsive ?? error);
      }, this.watch.firstByteTimeoutMs);
    });
    const clear = () => clearTimeout(timer);
    req.once('response', () => {
      clear();
      this.missed = 0;
    });
    req.once('close', clear);
  }
}

type AddRequest = (req: ClientRequest, options: unknown) => void;

/**
 * HTTP and HTTPS agents that put a first-byte deadline on every request and stop talking to a store that keeps
 * not answering (a "black hole" that accepts connections and never replies). The SDK's own connect and idle
 * (socket) timeouts stay in force; this adds the time between sending a request and its answer, which idle
 * timeouts alone let a retrying client spend many times over.
 */
export function boundedAgents(
  watch: ResponseWatch,
  options: AgentOptions,
): { httpAgent: HttpAgent; httpsAgent: HttpsAgent } {
  const watchdog = new Watchdog(watch);
  // Loaded here, when a client is made: node:https loads TLS (~25 ms of CPU), which an action's start need not pay.
  const httpAgent = new (process.getBuiltinModule('node:http').Agent)(options);
  const httpsAgent = new (process.getBuiltinModule('node:https').Agent)(options);
  for (const agent of [httpAgent, httpsAgent]) {
    const original = (agent as unknown as { addRequest: AddRequest }).addRequest.bind(agent);
    (agent as unknown as { addRequest: AddRequest }).addRequest = (req, opts) => {
      watchdog.attach(req);
      original(req, opts);
    };
  }
  return { httpAgent, httpsAgent };
}
