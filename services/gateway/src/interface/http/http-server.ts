import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { uuidv7 } from '@storytelling/kernel';
import { getLogger } from '@storytelling/platform';
import express from 'express';
import type { HttpServerLimits } from '../../config/gateway-config.js';
import { CORRELATION_HEADER } from './middleware/request-context.middleware.js';
import { problem, PROBLEM_CONTENT_TYPE } from './problem/problem.js';
import { ERROR_CODES } from './problem/error-codes.js';

const log = getLogger('http-server');

/** How long a connection we answered at the protocol level may go on sending before it is cut. */
const DRAIN_MS = 1000;

/**
 * The gateway's HTTP server (issue 12, item 6): Node's server with the request and headers
 * timeouts and the header size limit of GATEWAY config, checked often enough that a timeout is
 * answered near its deadline, and a 'clientError' handler so that what Node refuses before
 * express sees a request (timeouts, oversized headers, a bad request line) is problem+json too.
 */
export class GatewayHttpAdapter extends ExpressAdapter {
  constructor(private readonly limits: HttpServerLimits) {
    super(express());
  }

  override initHttpServer(options: NestApplicationOptions): void {
    // The gateway uses none of these; if it ever does, Nest's own server (without our limits) is
    // better than a half-configured one.
    if (options.httpsOptions || options.forceCloseConnections || options.return503OnClosing) {
      super.initHttpServer(options);
      return;
    }
    const { requestTimeoutMs, headersTimeoutMs, maxHeaderSizeBytes } = this.limits;
    const server = http.createServer(
      {
        requestTimeout: requestTimeoutMs,
        headersTimeout: headersTimeoutMs,
        maxHeaderSize: maxHeaderSizeBytes,
        // Node checks the timeouts on this period (30 s by default): a quarter of the shortest.
        connectionsCheckingInterval: Math.max(50, Math.min(5000, Math.floor(Math.min(requestTimeoutMs, headersTimeoutMs) / 4))),
      },
      this.getInstance<express.Express>(),
    );
    server.on('clientError', answerClientError);
    this.httpServer = server;
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
