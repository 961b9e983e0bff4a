import http from 'node:http';
import type { Duplex } from 'node:stream';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { uuidv7 } from '@storytelling/kernel';
import { getLogger } from '@storytelling/platform';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayConfig, HttpServerLimits } from '../../config/gateway-config.js';
import { parseQueryString } from './query-string.js';
import { CORRELATION_HEADER } from './middleware/request-context.middleware.js';
import { problem, PROBLEM_CONTENT_TYPE } from './problem/problem.js';
import { ERROR_CODES } from './problem/error-codes.js';

const log = getLogger('http-server');

/** How long a connection we answered at the protocol level may go on sending before it is cut. */
const DRAIN_MS = 1000;

/**
 * Longest route parameter the router matches. find-my-way's default (100) answers 414 for a
 * longer `:id`; the request line is bounded by HTTP_MAX_HEADER_SIZE anyway, so a parameter of
 * any length reaches validation (400), as before the move to Fastify.
 */
const MAX_PARAM_LENGTH = 1 << 20;

/** A path-to-regexp named wildcard (`/files/*key`): find-my-way knows only the anonymous `*`. */
const NAMED_WILDCARD = /\/\*[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * TRUST_PROXY as express read it. A hop count trusts that many proxies nearest the server;
 * Fastify 5.12 trusts no hop at all for a number (it cannot check the nearest peer), which would
 * silently turn every client behind the ingress into the ingress' address (rate limits, logs).
 */
function expressTrust(trustProxy: GatewayConfig['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trustProxy !== 'number') return trustProxy;
  return (_address, hop) => hop < trustProxy;
}

type FrameworkErrorHandler = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void;

/**
 * The gateway's HTTP server on Fastify (issue 12, item 6; ADR 0038): Node's server with the
 * request and headers timeouts and the header size limit of GATEWAY config, checked often enough
 * that a timeout is answered near its deadline, and a 'clientError' handler so that what Node
 * refuses before Fastify sees a request (timeouts, oversized headers, a bad request line) is
 * problem+json too. Routing is case-insensitive with an optional trailing slash, and the query
 * string is parsed by Node's `querystring`, as express did.
 */
export class GatewayHttpAdapter extends FastifyAdapter {
  /** Route URLs as the controllers declare them, by the URL Fastify registered (`*key` → `*`). */
  private readonly declaredUrls = new Map<string, string>();
  private readonly frameworkErrors: { handle: FrameworkErrorHandler };

  constructor(limits: HttpServerLimits, trustProxy: GatewayConfig['trustProxy']) {
    const { requestTimeoutMs, headersTimeoutMs, maxHeaderSizeBytes } = limits;
    const frameworkErrors: { handle: FrameworkErrorHandler } = { handle: (error, _request, reply) => reply.send(error) };
    super({
      // Nest middleware is not used: the edge runs as Fastify hooks (interface/http/edge).
      skipMiddie: true,
      multipart: false,
      trustProxy: expressTrust(trustProxy),
      // A path the router cannot decode is answered before any hook: see onFrameworkError.
      frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => frameworkErrors.handle(error, request, reply),
      // Fastify would attach its own 'clientError' listener otherwise (plain-text 400s).
      clientErrorHandler: (err: Error, socket: Duplex) => answerClientError(err as NodeJS.ErrnoException, socket),
      routerOptions: {
        caseSensitive: false,
        ignoreTrailingSlash: true,
        maxParamLength: MAX_PARAM_LENGTH,
        querystringParser: parseQueryString,
      },
      serverFactory: (handler: http.RequestListener) =>
        http.createServer(
          {
            requestTimeout: requestTimeoutMs,
            headersTimeout: headersTimeoutMs,
            maxHeaderSize: maxHeaderSizeBytes,
            // Node checks the timeouts on this period (30 s by default): a quarter of the shortest.
            connectionsCheckingInterval: Math.max(50, Math.min(5000, Math.floor(Math.min(requestTimeoutMs, headersTimeoutMs) / 4))),
          },
          handler,
        ),
    });
    this.frameworkErrors = frameworkErrors;
  }

  /**
   * GET routes with a named wildcard (`files/*key`, what the OpenAPI document shows) are
   * registered with find-my-way's `*`; like path-to-regexp's, the wildcard must not be empty.
   */
  override get(...args: unknown[]): ReturnType<FastifyAdapter['get']> {
    const [url, handler] = args;
    if (args.length === 2 && typeof url === 'string' && typeof handler === 'function' && NAMED_WILDCARD.test(url)) {
      const registered = url.replace(NAMED_WILDCARD, '/*');
      this.declaredUrls.set(registered, url);
      const nonEmpty = (request: FastifyRequest, reply: FastifyReply, ...rest: unknown[]): unknown => {
        if ((request.params as Record<string, string | undefined>)['*'] === '') return reply.callNotFound();
        return (handler as (...a: unknown[]) => unknown)(request, reply, ...rest);
      };
      // Nest reads its route options (version, config) from the handler: keep them.
      Object.assign(nonEmpty, handler);
      return super.get(registered, nonEmpty);
    }
    return super.get(...args);
  }

  /** Who answers what the router refuses before any hook runs (a path that does not decode). */
  onFrameworkError(handler: FrameworkErrorHandler): void {
    this.frameworkErrors.handle = handler;
  }

  /** The route pattern a request matched, as declared (`/api/v1/files/*key`); undefined when none did. */
  declaredRouteOf(request: FastifyRequest): string | undefined {
    if (request.is404) return undefined;
    const url = request.routeOptions.url;
    return url === undefined ? undefined : (this.declaredUrls.get(url) ?? url);
  }
}

/** Node's parser and timeout errors → the API's problem codes. */
export function clientErrorProblemCode(code: string | undefined): 'REQUEST_TIMEOUT' | 'HEADERS_TOO_LARGE' | 'MALFORMED_REQUEST' {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'REQUEST_TIMEOUT';
  if (code === 'HPE_HEADER_OVERFLOW') return 'HEADERS_TOO_LARGE';
  return 'MALFORMED_REQUEST';
}

const DETAILS = {
  REQUEST_TIMEOUT: 'The request did not arrive in time.',
  HEADERS_TOO_LARGE: 'The request headers are too large.',
  MALFORMED_REQUEST: 'The request is not valid HTTP.',
} as const;

const answered = new WeakSet<Duplex>();

/**
 * Answers on the raw socket (there is no request or response object yet) and closes it. The rest
 * of what the client sends is read and dropped for a moment: closing with unread bytes makes the
 * kernel send a reset, and the client would lose the answer (a 64 KB header did).
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const inProgress = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (answered.has(socket) || err.code === 'ECONNRESET' || !socket.writable || inProgress?.headersSent) {
    socket.destroy();
    return;
  }
  answered.add(socket);
  const code = clientErrorProblemCode(err.code);
  const { status } = ERROR_CODES[code];
  const correlationId = uuidv7();
  const body = JSON.stringify({ ...problem(status, code, DETAILS[code]), correlationId });
  log.debug({ code, reason: err.code, correlationId }, 'request refused by the HTTP server');
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\n` +
      `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `Cache-Control: no-store\r\n` +
      `${CORRELATION_HEADER}: ${correlationId}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
  socket.on('data', () => undefined);
  socket.on('error', () => undefined);
  socket.resume();
  setTimeout(() => socket.destroy(), DRAIN_MS).unref();
}
