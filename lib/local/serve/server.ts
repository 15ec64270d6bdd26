import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalRunError } from '../run-error';
import { fixedWorld } from '../world-patch';
import { ServedAccount, type ServedAccountOptions } from './account';
import { dashboardFile, isDashboardPath } from './dashboard-files';
import { deliverEvent } from './door';
import { toWireError, WireError } from './errors';
import { checkInput, type RequestContext, type ServiceModel } from './model';
import { jsonErrorResponse, jsonResponse, parseJsonInput, parseTarget } from './protocols/aws-json';
import { parseQueryInput, queryErrorResponse, queryResponse } from './protocols/aws-query';
import type { WireResponse } from './protocols/response';
import { matchRoute, restJsonErrorResponse, restJsonResponse } from './protocols/rest-json';
import { LAMBDA_ROUTES } from './services/lambda';
import { SERVICES } from './services';
// The dashboard actions function (and the lib/ops code under it) loads with its first request, not at start.
import type * as FunctionUrl from './function-url';
import type { LocalPerson } from './oidc-issuer';
import { PeopleAccess, type PeopleSession } from './people-access';
import type { OpsClients } from '../../ops/aws';

/**
 * `slipway local serve`: the simulated account as an HTTP endpoint on 127.0.0.1 that AWS clients talk to
 * (the SDK's `endpoint`, the CLI's `AWS_ENDPOINT_URL`). A request is checked in AWS's order (dynalite's
 * index.js): the protocol's content type and body, the operation it names (X-Amz-Target, the form's
 * Action, the REST path), the SigV4 Authorization header, the input's types and required members; then
 * the simulated service answers. Every answer carries `x-amzn-RequestId`; an error carries its code in
 * the protocol's format. Browsers get CORS answers as AWS gives them, per service (model.ts `cors`):
 * a page reaches a service at `http://<signing name>.localhost:<port>` (browsers resolve `*.localhost`
 * to this machine), so that a preflight, which names no operation, names its service.
 * The endpoint's own door is under `/_slipway/` (health, events, world patches).
 */

/** Largest request body accepted (the largest AWS request Slipway's clients send is far below). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Headers a browser page may read from an answer (AWS exposes these to CORS callers). */
const EXPOSED_HEADERS = 'x-amzn-RequestId,x-amzn-ErrorType,x-amzn-query-error,x-amz-request-id,x-amz-id-2,Date';

/** Options of {@link LocalEndpoint.start}. */
export interface EndpointOptions extends ServedAccountOptions {
  /** Port on 127.0.0.1; 0 picks a free one. @default 4566 */
  readonly port?: number;
  /** The local OpenID Connect issuer's test people (sts.ts). @default one per app, `<app>-dev` */
  readonly people?: readonly LocalPerson[];
}

const byPrefix = new Map(SERVICES.filter((s) => s.targetPrefix).map((s) => [s.targetPrefix as string, s]));
const bySigningName = new Map(SERVICES.map((s) => [s.signingName, s]));

/** The service a SigV4 Authorization header's credential scope names (`Credential=AKID/date/region/<service>/aws4_request`). */
function scopeService(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  const m = typeof auth === 'string' ? /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth) : null;
  return m?.[1];
}

/** The service a `<signing name>.localhost` host names. */
function hostService(req: IncomingMessage): ServiceModel | undefined {
  const host = String(req.headers.host ?? '').split(':')[0].toLowerCase();
  const m = /^([a-z0-9-]+)\.localhost$/.exec(host);
  return m ? bySigningName.get(m[1]) : undefined;
}

/** Whether a request carries a SigV4 Authorization header (the signature itself is not checked: the credentials are dummies). */
function signed(req: IncomingMessage): boolean {
  const auth = req.headers.authorization;
  return typeof auth === 'string' && auth.trim().startsWith('AWS4-');
}

const MISSING_AUTH = () => new WireError('MissingAuthenticationTokenException', 'Request is missing Authentication Token');

/** The endpoint: an HTTP server over a {@link ServedAccount}. */
export class LocalEndpoint {
  /** People's sign-in: the local OpenID Connect issuer, STS AssumeRoleWithWebIdentity and the sessions' scope. */
  readonly people: PeopleAccess;
  private actions?: { readonly url: typeof FunctionUrl; readonly clients: OpsClients };

  private constructor(
    private readonly server: Server,
    readonly account: ServedAccount,
    /** `http://127.0.0.1:<port>` */
    readonly url: string,
    people: readonly LocalPerson[] | undefined,
  ) {
    this.people = new PeopleAccess(account, url, { people });
  }

  /** Starts the account and listens; resolves once the endpoint answers. */
  static async start(options: EndpointOptions): Promise<LocalEndpoint> {
    const account = new ServedAccount(options);
    const server = createServer();
    const endpoint = await new Promise<LocalEndpoint>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 4566, '127.0.0.1', () => {
        const port = (server.address() as AddressInfo).port;
        resolve(new LocalEndpoint(server, account, `http://127.0.0.1:${port}`, options.people));
      });
    }).catch((e: unknown) => {
      account.stop();
      throw e;
    });
    server.on('request', (req, res) => void endpoint.handle(req, res));
    // A client that keeps connections alive must not hold the endpoint open once it closes.
    server.keepAliveTimeout = 5000;
    account.start();
    return endpoint;
  }

  /** The dashboard actions function's URL and the clients it calls this endpoint with, loaded with its first request. */
  private actionsFunction(): { readonly url: typeof FunctionUrl; readonly clients: OpsClients } {
    if (!this.actions) {
      const url = require('./function-url') as typeof FunctionUrl;
      this.actions = { url, clients: url.endpointClients(this.url, this.account.run.world.spec.region) };
    }
    return this.actions;
  }

  /** The port it listens on. */
  get port(): number {
    return Number(new URL(this.url).port);
  }

  private closing?: Promise<void>;
  private markClosed!: () => void;
  /** Resolves once the endpoint has closed. */
  readonly closed = new Promise<void>((resolve) => (this.markClosed = resolve));

  /** Stops serving, stops the clock and saves the account. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.account.stop();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    }).then(() => this.markClosed());
    return this.closing;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      return write(res, requestId, { status: 413, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ __type: 'com.amazon.coral.service#SerializationException', message: `Request body over ${MAX_BODY_BYTES} bytes` }) });
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let answer: WireResponse;
    let service: ServiceModel | undefined;
    try {
      if (isDashboardPath(url.pathname)) {
        return write(res, requestId, dashboardFile(req.method ?? 'GET', url.pathname, this.account.options.rootDir, () => this.people.dashboardConfig()));
      }
      if (url.pathname.startsWith('/_slipway/')) {
        answer = await this.door(req.method ?? 'GET', url.pathname, body.toString('utf8'));
        if (req.headers.origin) answer.headers['Access-Control-Allow-Origin'] = '*';
        return write(res, requestId, answer);
      }
      // People's sign-in (sts.ts, oidc-issuer.ts, function-url.ts): the local issuer, the dashboard's config, the actions function's URL.
      if (url.pathname.startsWith('/oidc/')) return write(res, requestId, this.people.issuer.handle(req.method ?? 'GET', url.pathname.slice('/oidc'.length), url.searchParams, body.toString('utf8'), req.headers.origin));
      if (url.pathname === '/config.json' && req.method === 'GET') return write(res, requestId, { status: 200, headers: { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' }, body: JSON.stringify(this.people.dashboardConfig()) });
      if (url.pathname.startsWith('/lambda-url/')) {
        const actions = this.actionsFunction();
        if (url.pathname === actions.url.ACTIONS_PATH) return write(res, requestId, req.method === 'OPTIONS' ? actions.url.actionsPreflight() : await actions.url.invokeActions(req, body.toString('utf8'), this.people, actions.clients, requestId));
      }
      service = hostService(req);
      if (req.method === 'OPTIONS') return write(res, requestId, preflight(req, service));
      answer = await this.dispatch(req, url, body.toString('utf8'), requestId, service, (s) => (service = s));
    } catch (e) {
      answer = { status: 500, headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'InternalFailure' }, body: JSON.stringify({ __type: 'com.amazon.coral.service#InternalFailure', message: (e as Error).message }) };
    }
    // A cross-origin call gets CORS headers only from a service AWS answers browsers for.
    if (req.headers.origin && service?.cors) {
      answer.headers['Access-Control-Allow-Origin'] = '*';
      answer.headers['Access-Control-Expose-Headers'] = EXPOSED_HEADERS;
    }
    write(res, requestId, answer);
  }

  /** Finds the protocol and operation a request names and answers it. */
  private async dispatch(req: IncomingMessage, url: URL, body: string, requestId: string, host: ServiceModel | undefined, found: (s: ServiceModel) => void): Promise<WireResponse> {
    const method = req.method ?? 'GET';
    const contentType = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    // A person's session (sts.ts): its caller identity, and every call limited to what the people role grants.
    let session: PeopleSession | undefined;
    let sessionError: WireError | undefined;
    try {
      session = this.people.sessionOf(req);
    } catch (e) {
      sessionError = e as WireError;
    }
    const ctx: RequestContext = { account: this.account, requestId, ...(session ? { caller: { arn: session.arn, userId: session.assumedRoleId } } : {}) };
    const inScope = (service: ServiceModel, operation: string, input: Record<string, unknown>) => {
      if (sessionError) throw sessionError;
      if (session) this.people.authorize(session, service, operation, input);
    };
    // restJson1 (Lambda): the path names the operation.
    const route = url.pathname.startsWith('/2015-03-31/') ? matchRoute(LAMBDA_ROUTES, method, url.pathname) : undefined;
    if (url.pathname.startsWith('/2015-03-31/')) {
      const lambda = bySigningName.get('lambda') as ServiceModel;
      found(lambda);
      if (!route) return restJsonErrorResponse(new WireError('UnknownOperationException', `No operation of Lambda is ${method} ${url.pathname}`, 404));
      if (!signed(req)) return restJsonErrorResponse(MISSING_AUTH());
      try {
        inScope(lambda, route.operation, route.labels);
        return restJsonResponse(await this.invoke(lambda, route.operation, { ...route.labels, ...(body ? { Payload: body } : {}) }, ctx));
      } catch (e) {
        return restJsonErrorResponse(toWireError(e, `Lambda ${route.operation}`));
      }
    }
    // awsQuery (STS): a form names its Action.
    if (method === 'POST' && contentType === 'application/x-www-form-urlencoded') {
      const scoped = bySigningName.get(scopeService(req) ?? host?.signingName ?? 'sts');
      const service = scoped?.protocol === 'awsQuery' ? scoped : (bySigningName.get('sts') as ServiceModel);
      found(service);
      try {
        const { action, input } = parseQueryInput(body);
        if (!service.awsOperations().has(action)) throw new WireError('InvalidAction', `Could not find operation ${action} for version 2011-06-15`);
        // AssumeRoleWithWebIdentity is not signed: the token is the credential (STS API Reference).
        if (service.signingName === 'sts' && action === 'AssumeRoleWithWebIdentity') return queryResponse(service, action, this.people.assumeRoleWithWebIdentity(input), requestId);
        if (!signed(req)) throw new WireError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
        inScope(service, action, input);
        return queryResponse(service, action, await this.invoke(service, action, input, ctx), requestId);
      } catch (e) {
        return queryErrorResponse(service, toWireError(e, `${service.title} call`), requestId);
      }
    }
    // awsJson1_0 / awsJson1_1: a POST with the protocol's content type and an X-Amz-Target.
    if (method !== 'POST' || (contentType !== 'application/x-amz-json-1.0' && contentType !== 'application/x-amz-json-1.1' && contentType !== 'application/json')) {
      return { status: 404, headers: { 'Content-Type': 'application/xml' }, body: '<UnknownOperationException/>\n' };
    }
    const target = parseTarget(req.headers);
    const service = target ? byPrefix.get(target.prefix) : undefined;
    if (service) found(service);
    try {
      const input = parseJsonInput(body);
      if (!service || !target) throw new WireError('UnknownOperationException', '');
      if (!service.awsOperations().has(target.operation)) throw new WireError('UnknownOperationException', '');
      if (!signed(req)) throw MISSING_AUTH();
      inScope(service, target.operation, input);
      return jsonResponse(service, await this.invoke(service, target.operation, input, ctx));
    } catch (e) {
      return jsonErrorResponse(service, toWireError(e, `${service?.title ?? 'AWS'} ${target?.operation ?? 'call'}`));
    }
  }

  /** Runs an operation of a service: 501 for an AWS operation the simulation does not answer. */
  private async invoke(service: ServiceModel, operation: string, input: Record<string, unknown>, ctx: RequestContext): Promise<unknown> {
    const op = service.operations[operation];
    if (!op) throw new WireError('NotImplemented', `slipway local serve does not simulate ${service.title} ${operation} (it simulates ${Object.keys(service.operations).join(', ')})`, 501);
    checkInput(op, input);
    this.account.catchUp();
    try {
      return await op.run(input, ctx);
    } finally {
      this.account.poke();
    }
  }

  /** The endpoint's own door: `GET /_slipway/health`, `POST /_slipway/events`, `POST /_slipway/world`. */
  private async door(method: string, path: string, body: string): Promise<WireResponse> {
    const json = (status: number, value: unknown): WireResponse => ({ status, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(value) });
    const fail = (e: unknown) => {
      const w = toWireError(e, 'the door');
      return json(w.status, { error: w.code, message: w.message });
    };
    const run = this.account.run;
    if (method === 'GET' && path === '/_slipway/health') {
      this.account.catchUp();
      return json(200, {
        status: 'ready',
        account: run.world.spec.account,
        region: run.world.spec.region,
        speed: this.account.pacer.speed,
        simulatedTime: run.world.isoNow(),
        apps: [...run.world.apps.keys()],
        services: SERVICES.map((s) => ({ service: s.title, signingName: s.signingName, protocol: s.protocol, cors: s.cors, operations: Object.keys(s.operations) })),
      });
    }
    if (method === 'POST' && path === '/_slipway/events') {
      try {
        let event: unknown;
        try {
          event = JSON.parse(body);
        } catch {
          throw new WireError('InvalidEvent', 'the body is not JSON: send one AWS event as EventBridge delivers it');
        }
        return json(200, { delivered: await deliverEvent(this.account, event) });
      } catch (e) {
        return fail(e);
      }
    }
    if (method === 'POST' && path === '/_slipway/world') {
      try {
        return json(200, this.patchWorld(body));
      } catch (e) {
        return fail(e);
      }
    }
    return json(404, { error: 'UnknownDoor', message: `no ${method} ${path}: the door has GET /_slipway/health, POST /_slipway/events and POST /_slipway/world` });
  }

  /**
   * What an operator's fix changes in the simulated account (a JSON Merge Patch of the world, as
   * `slipway local run --redrive-with` takes it): what happens next (release outcome, deployment
   * outcomes, throttling, injected errors), never which account or app this is.
   */
  private patchWorld(body: string): { world: unknown } {
    let patch: unknown;
    try {
      patch = JSON.parse(body);
    } catch {
      throw new WireError('InvalidPatch', 'the body is not JSON: send a JSON Merge Patch of the world file');
    }
    const world = this.account.run.world;
    let fixed;
    try {
      fixed = fixedWorld(world.spec, patch, world.spec, 'the patch');
    } catch (e) {
      if (e instanceof LocalRunError) throw new WireError('InvalidPatch', e.message);
      throw e;
    }
    world.applyPatchedSpec(fixed, patch);
    return { world: fixed };
  }
}

/**
 * A CORS preflight (OPTIONS), answered as AWS answers it for the service the host names: the requested
 * method and headers allowed for any origin, for two days (as DynamoDB answers, dynalite index.js), by a
 * service that allows CORS; a 403 without CORS headers (the browser refuses the call) from one that does
 * not, such as Step Functions, and when the host names no service.
 */
function preflight(req: IncomingMessage, service: ServiceModel | undefined): WireResponse {
  if (!service || !service.cors || !req.headers.origin) {
    const why = !service ? 'the host names no service: browsers reach a service at http://<signing name>.localhost:<port>' : `${service.title} answers no CORS request on AWS`;
    return { status: 403, headers: { 'Content-Type': 'text/plain' }, body: why };
  }
  const headers: Record<string, string> = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Max-Age': '172800', 'Content-Length': '0' };
  const h = req.headers['access-control-request-headers'];
  const m = req.headers['access-control-request-method'];
  if (typeof h === 'string') headers['Access-Control-Allow-Headers'] = h;
  if (typeof m === 'string') headers['Access-Control-Allow-Methods'] = m;
  return { status: 200, headers, body: '' };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function write(res: ServerResponse, requestId: string, answer: WireResponse): void {
  if (res.headersSent) return;
  res.statusCode = answer.status;
  res.setHeader('x-amzn-RequestId', requestId);
  for (const [k, v] of Object.entries(answer.headers)) res.setHeader(k, v);
  res.setHeader('Content-Length', Buffer.byteLength(answer.body));
  res.end(answer.body);
}
