// A small HTTP client for the gateway that never throws: a network failure is status 0, so the
// workload can count it as refused and go on while a service is being killed.
import { randomUUID } from 'node:crypto';

/** @typedef {{ status: number, body: any, headers: Headers | null, error?: string }} Answer */

export class GatewayClient {
  /** @param {() => string} baseUrl */
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
  }

  /**
   * @param {string} method @param {string} path
   * @param {{ token?: string, body?: unknown, headers?: Record<string, string>, idempotent?: boolean }} [options]
   * @returns {Promise<Answer>}
   */
  async call(method, path, options = {}) {
    /** @type {Record<string, string>} */
    const headers = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.idempotent) headers['idempotency-key'] = randomUUID();
    try {
      const response = await fetch(`${this.baseUrl()}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(20_000),
      });
      const text = await response.text();
      let body = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = text;
      }
      return { status: response.status, body, headers: response.headers };
    } catch (error) {
      return { status: 0, body: null, headers: null, error: error instanceof Error ? error.message : String(error) };
    }
  }
}
