/**
 * A local GitHub REST API for tests: an HTTP server on 127.0.0.1 that checks every request and every response it
 * sends against GitHub's official OpenAPI description (@octokit/openapi). A wrong route, parameter, body field or
 * status becomes a recorded violation, so a test that talks to it fails when the code talks to GitHub wrongly.
 * Routes are programmable; faults (5xx, 403, rate limits) can be injected per operation.
 *
 * Usage:
 *   const api = await GitHubApiServer.start();
 *   const comments = installIssueComments(api);          // stock in-memory issue comments
 *   api.fault('issues/create-comment', { status: 502 });  // next call fails once
 *   ... point the client at api.url ...
 *   api.assertNoViolations(); await api.close();
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv, type ValidateFunction } from 'ajv';

export interface ApiRequest {
  method: string;
  /** The spec's path template, e.g. `/repos/{owner}/{repo}/issues/{issue_number}/comments`. */
  route: string;
  operationId: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export type RouteHandler = (request: ApiRequest, server: GitHubApiServer) => ApiResponse | Promise<ApiResponse>;

interface Fault extends ApiResponse {
  times: number;
}

interface Operation {
  method: string;
  route: string;
  operationId: string;
  pattern: RegExp;
  paramNames: string[];
  literalLength: number;
  definition: Record<string, any>;
}

const SCHEMA_ID = 'https://openapi.local/api.github.com.json';

interface Spec {
  operations: Operation[];
  components: Record<string, any>;
  ajv: Ajv;
  validators: Map<string, ValidateFunction>;
}

let loadedSpec: Spec | undefined;

// Parsing the 13 MB description takes a moment; do it once per test process. Schemas compile lazily, per use.
function loadSpec(): Spec {
  if (loadedSpec) return loadedSpec;
  const require = createRequire(import.meta.url);
  const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
  const document = JSON.parse(readFileSync(file, 'utf8')) as {
    paths: Record<string, Record<string, any>>;
    components: Record<string, any>;
  };
  const operations: Operation[] = [];
  for (const [route, item] of Object.entries(document.paths)) {
    const paramNames: string[] = [];
    const pattern = new RegExp(
      '^' +
        route.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, name: string) => {
          paramNames.push(name);
          return '([^/]+)';
        }) +
        '$',
    );
    for (const [method, definition] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete', 'head'].includes(method)) continue;
      operations.push({
        method: method.toUpperCase(),
        route,
        operationId: definition.operationId,
        pattern,
        paramNames,
        literalLength: route.replace(/\{[^}]+\}/g, '').length,
        definition,
      });
    }
  }
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  const uri = /^[a-z][a-z0-9+.-]*:[^\s]*$/i;
  ajv.addFormat('uri', uri);
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  ajv.addFormat('email', /^[^\s@]+@[^\s@]+$/);
  ajv.addFormat('uri-template', true);
  ajv.addFormat('int64', { type: 'number', validate: Number.isInteger });
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
  ajv.addFormat('binary', true);
  ajv.addSchema({ $id: SCHEMA_ID, components: { schemas: document.components.schemas } });
  loadedSpec = { operations, components: document.components, ajv, validators: new Map() };
  return loadedSpec;
}

// The operation schemas point at '#/components/schemas/x'; aim those at the registered components document.
function absoluteRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(absoluteRefs);
  if (schema && typeof schema === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(schema)) {
      result[key] =
        key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? SCHEMA_ID + value : absoluteRefs(value);
    }
    return result;
  }
  return schema;
}

function resolveComponent<T = Record<string, any>>(spec: Spec, value: any): T {
  let current = value;
  for (let depth = 0; current && typeof current.$ref === 'string' && depth < 10; depth++) {
    const [, kind, name] = /^#\/components\/([^/]+)\/(.+)$/.exec(current.$ref) ?? [];
    current = spec.components[kind]?.[name];
  }
  return current as T;
}

function validatorFor(spec: Spec, key: string, schema: unknown): ValidateFunction {
  let validate = spec.validators.get(key);
  if (!validate) {
    validate = spec.ajv.compile(absoluteRefs(schema) as object);
    spec.validators.set(key, validate);
  }
  return validate;
}

function coerce(value: string, schema: Record<string, any> | undefined): unknown {
  const type = Array.isArray(schema?.type) ? schema?.type[0] : schema?.type;
  if (type === 'integer' || type === 'number') return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  if (type === 'array') return value.split(',');
  return value;
}

/** A validating fake of api.github.com on 127.0.0.1. */
export class GitHubApiServer {
  readonly requests: ApiRequest[] = [];
  readonly violations: string[] = [];
  private readonly handlers = new Map<string, RouteHandler>();
  private readonly faults = new Map<string, Fault[]>();
  private readonly spec = loadSpec();

  private readonly server: Server;
  readonly url: string;
  private constructor(server: Server, url: string) {
    this.server = server;
    this.url = url;
  }

  /** Starts a server on a free port of 127.0.0.1. */
  static async start(): Promise<GitHubApiServer> {
    let instance: GitHubApiServer | undefined;
    const server = createServer((req, res) => {
      void instance!.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    instance = new GitHubApiServer(server, `http://127.0.0.1:${port}`);
    return instance;
  }

  /** Answers `operation` (an operationId like `issues/list-comments`, or `METHOD /path/{template}`) with `handler`. */
  route(operation: string, handler: RouteHandler): this {
    this.handlers.set(this.operationKey(operation), handler);
    return this;
  }

  /** Makes the next `times` calls of `operation` answer `response` instead of the handler. */
  fault(operation: string, response: ApiResponse & { times?: number }): this {
    const key = this.operationKey(operation);
    const queue = this.faults.get(key) ?? [];
    queue.push({ times: 1, ...response });
    this.faults.set(key, queue);
    return this;
  }

  /** Requests made to one operation. */
  calls(operation: string): ApiRequest[] {
    const key = this.operationKey(operation);
    return this.requests.filter((request) => request.operationId === key);
  }

  /** Throws with every recorded violation of the OpenAPI description. */
  assertNoViolations(): void {
    if (this.violations.length > 0)
      throw new Error(`GitHub API contract violations:\n- ${this.violations.join('\n- ')}`);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  private operationKey(operation: string): string {
    const byId = this.spec.operations.find((op) => op.operationId === operation);
    if (byId) return byId.operationId;
    const [method, route] = operation.split(' ');
    const byRoute = this.spec.operations.find((op) => op.method === method?.toUpperCase() && op.route === route);
    if (!byRoute) throw new Error(`'${operation}' is not an operation of GitHub's REST API description.`);
    return byRoute.operationId;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const candidates = this.spec.operations
      .filter((op) => op.method === method && op.pattern.test(url.pathname))
      .sort((a, b) => b.literalLength - a.literalLength);
    const operation = candidates[0];
    if (!operation) {
      this.violations.push(`${method} ${url.pathname}: no such operation in GitHub's REST API`);
      return this.send(res, {
        status: 404,
        body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' },
      });
    }
    const match = operation.pattern.exec(url.pathname)!;
    const params = Object.fromEntries(operation.paramNames.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
    let body: unknown;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        this.violations.push(`${method} ${operation.route}: request body is not JSON`);
      }
    }
    const request: ApiRequest = {
      method,
      route: operation.route,
      operationId: operation.operationId,
      path: url.pathname,
      params,
      query: url.searchParams,
      headers: req.headers,
      body,
    };
    this.requests.push(request);
    this.checkRequest(operation, request, raw !== '');

    const queue = this.faults.get(operation.operationId);
    let response: ApiResponse;
    let injected = false;
    if (queue && queue.length > 0) {
      const fault = queue[0];
      if (--fault.times <= 0) queue.shift();
      response = fault;
      injected = true;
    } else {
      const handler = this.handlers.get(operation.operationId);
      if (!handler) {
        this.violations.push(`${method} ${operation.route} (${operation.operationId}): the test set no handler for it`);
        response = { status: 501, body: { message: 'no handler in the test server' } };
        injected = true;
      } else {
        try {
          response = await handler(request, this);
        } catch (error) {
          this.violations.push(`${operation.operationId}: handler threw ${(error as Error).message}`);
          response = { status: 500, body: { message: 'handler error' } };
          injected = true;
        }
      }
    }
    this.checkResponse(operation, response, injected);
    this.send(res, response);
  }

  private checkRequest(operation: Operation, request: ApiRequest, hasBody: boolean): void {
    const where = `${request.method} ${operation.route} (${operation.operationId})`;
    const declared = ((operation.definition.parameters ?? []) as unknown[]).map((p) => resolveComponent(this.spec, p));
    for (const parameter of declared) {
      const value =
        parameter.in === 'path'
          ? request.params[parameter.name]
          : parameter.in === 'query'
            ? request.query.get(parameter.name)
            : undefined;
      if (parameter.in !== 'path' && parameter.in !== 'query') continue;
      if (value === undefined || value === null) {
        if (parameter.required)
          this.violations.push(`${where}: required ${parameter.in} parameter '${parameter.name}' is missing`);
        continue;
      }
      const validate = validatorFor(
        this.spec,
        `${operation.operationId}:param:${parameter.name}`,
        parameter.schema ?? {},
      );
      if (!validate(coerce(value, parameter.schema))) {
        this.violations.push(
          `${where}: ${parameter.in} parameter '${parameter.name}'='${value}' ${this.spec.ajv.errorsText(validate.errors)}`,
        );
      }
    }
    const known = new Set(declared.filter((p) => p.in === 'query').map((p) => p.name));
    for (const name of request.query.keys()) {
      if (!known.has(name)) this.violations.push(`${where}: query parameter '${name}' is not part of the operation`);
    }
    const requestBody = resolveComponent(this.spec, operation.definition.requestBody);
    if (!requestBody) {
      if (hasBody) this.violations.push(`${where}: sent a body, but the operation takes none`);
      return;
    }
    if (!hasBody) {
      if (requestBody.required) this.violations.push(`${where}: the request body is required`);
      return;
    }
    const contentType = String(request.headers['content-type'] ?? '');
    if (!contentType.startsWith('application/json'))
      this.violations.push(`${where}: content-type '${contentType}', expected application/json`);
    const schema = requestBody.content?.['application/json']?.schema;
    if (schema) {
      const validate = validatorFor(this.spec, `${operation.operationId}:body`, schema);
      if (!validate(request.body))
        this.violations.push(`${where}: request body ${this.spec.ajv.errorsText(validate.errors)}`);
    }
  }

  private checkResponse(operation: Operation, response: ApiResponse, injected: boolean): void {
    const where = `${operation.method} ${operation.route} (${operation.operationId}) -> ${response.status}`;
    const responses = operation.definition.responses ?? {};
    const declared = responses[String(response.status)] ?? responses.default;
    if (!declared) {
      // GitHub answers any route with 404 for a missing resource, and with 5xx/429 when it is unwell; those are
      // real answers the description leaves out. Anything else is a contract breach.
      const tolerated =
        response.status === 404 ||
        (injected && (response.status >= 500 || response.status === 429 || response.status === 403));
      if (!tolerated)
        this.violations.push(
          `${where}: status not in the operation's responses (${Object.keys(responses).join(', ')})`,
        );
      return;
    }
    const definition = resolveComponent(this.spec, declared);
    const schema = definition?.content?.['application/json']?.schema;
    if (!schema) {
      if (response.body !== undefined && response.status !== 304)
        this.violations.push(`${where}: sent a body where the description has none`);
      return;
    }
    const validate = validatorFor(this.spec, `${operation.operationId}:response:${response.status}`, schema);
    if (!validate(response.body))
      this.violations.push(`${where}: response body ${this.spec.ajv.errorsText(validate.errors)}`);
  }

  private send(res: ServerResponse, response: ApiResponse): void {
    const text = response.body === undefined ? '' : JSON.stringify(response.body);
    res.writeHead(response.status, {
      ...(text !== '' ? { 'content-type': 'application/json; charset=utf-8' } : {}),
      'x-github-media-type': 'github.v3; format=json',
      ...response.headers,
    });
    res.end(text);
  }
}

const ACTIONS_BOT = 'github-actions[bot]';

/** A user object as GitHub returns it (simple-user). */
export function fakeUser(login = 'github-actions[bot]', id = 41898282): Record<string, unknown> {
  const base = `https://api.github.com/users/${encodeURIComponent(login)}`;
  return {
    login,
    id,
    node_id: `MDM6Qm90${id}`,
    avatar_url: `https://avatars.githubusercontent.com/in/${id}?v=4`,
    gravatar_id: '',
    url: base,
    html_url: `https://github.com/apps/${encodeURIComponent(login)}`,
    followers_url: `${base}/followers`,
    following_url: `${base}/following{/other_user}`,
    gists_url: `${base}/gists{/gist_id}`,
    starred_url: `${base}/starred{/owner}{/repo}`,
    subscriptions_url: `${base}/subscriptions`,
    organizations_url: `${base}/orgs`,
    repos_url: `${base}/repos`,
    events_url: `${base}/events{/privacy}`,
    received_events_url: `${base}/received_events`,
    type: 'Bot',
    site_admin: false,
  };
}

export interface StoredComment {
  id: number;
  issue: number;
  body: string;
  createdAt: string;
  updatedAt: string;
  /** The author's login (default github-actions[bot], the login of a workflow's GITHUB_TOKEN). */
  author?: string;
}

/** In-memory issue comments behind list/get/create/update/delete, with GitHub's Link-header pagination. */
export interface IssueCommentsFake {
  comments: StoredComment[];
  /** Adds `count` comments to `issue`, by `author` (default github-actions[bot]). */
  seed(issue: number, count: number, body?: (i: number) => string, author?: string): void;
  onIssue(issue: number): StoredComment[];
}

/** Installs the stock issue-comment routes on `server`, for `owner/repo`. */
export function installIssueComments(
  server: GitHubApiServer,
  owner = 'octo-org',
  repo = 'octo-repo',
): IssueCommentsFake {
  const comments: StoredComment[] = [];
  let nextId = 1000;
  const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const toApi = (c: StoredComment) => ({
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `https://api.github.com/repos/${owner}/${repo}/issues/comments/${c.id}`,
    html_url: `https://github.com/${owner}/${repo}/pull/${c.issue}#issuecomment-${c.id}`,
    issue_url: `https://api.github.com/repos/${owner}/${repo}/issues/${c.issue}`,
    body: c.body,
    user:
      c.author === undefined || c.author === ACTIONS_BOT
        ? fakeUser()
        : { ...fakeUser(c.author, 583231), type: 'User', html_url: `https://github.com/${c.author}` },
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: 'NONE',
  });
  const notFound = { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
  const wrongRepo = (request: ApiRequest) => request.params.owner !== owner || request.params.repo !== repo;
  const find = (request: ApiRequest) => comments.find((c) => c.id === Number(request.params.comment_id));

  // A workflow's GITHUB_TOKEN may not read /user: GitHub answers 403 (its identity is github-actions[bot]).
  server.route('users/get-authenticated', () => ({
    status: 403,
    body: {
      message: 'Resource not accessible by integration',
      documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
    },
  }));
  server.route('issues/list-comments', (request) => {
    if (wrongRepo(request)) return notFound;
    const issue = Number(request.params.issue_number);
    const perPage = Math.min(100, Number(request.query.get('per_page') ?? 30));
    const page = Number(request.query.get('page') ?? 1);
    const all = comments.filter((c) => c.issue === issue);
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const links: string[] = [];
    const link = (p: number, rel: string) =>
      `<${server.url}/repos/${owner}/${repo}/issues/${issue}/comments?per_page=${perPage}&page=${p}>; rel="${rel}"`;
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
    return {
      status: 200,
      headers: (links.length > 0 ? { link: links.join(', ') } : {}) as Record<string, string>,
      body: all.slice((page - 1) * perPage, page * perPage).map(toApi),
    };
  });
  server.route('issues/create-comment', (request) => {
    if (wrongRepo(request)) return notFound;
    const stamp = now();
    const comment = {
      id: nextId++,
      issue: Number(request.params.issue_number),
      body: String((request.body as { body: string }).body),
      createdAt: stamp,
      updatedAt: stamp,
    };
    comments.push(comment);
    return { status: 201, headers: { location: toApi(comment).url }, body: toApi(comment) };
  });
  server.route('issues/get-comment', (request) => {
    const comment = find(request);
    return comment && !wrongRepo(request) ? { status: 200, body: toApi(comment) } : notFound;
  });
  server.route('issues/update-comment', (request) => {
    const comment = find(request);
    if (!comment || wrongRepo(request)) return notFound;
    comment.body = String((request.body as { body: string }).body);
    comment.updatedAt = now();
    return { status: 200, body: toApi(comment) };
  });
  server.route('issues/delete-comment', (request) => {
    const comment = find(request);
    if (!comment || wrongRepo(request)) return notFound;
    comments.splice(comments.indexOf(comment), 1);
    return { status: 204 };
  });
  return {
    comments,
    seed(issue, count, body = (i) => `comment ${i}`, author) {
      for (let i = 0; i < count; i++) {
        const stamp = now();
        comments.push({ id: nextId++, issue, body: body(i), createdAt: stamp, updatedAt: stamp, author });
      }
    },
    onIssue: (issue) => comments.filter((c) => c.issue === issue),
  };
}
