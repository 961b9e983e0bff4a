import { parse } from 'node:querystring';

/**
 * Query strings are parsed by Node's `querystring`, as express' default ("simple") parser did:
 * a repeated key becomes an array, nothing nests, `+` is a space. Fastify's own parser
 * (fast-querystring) is not guaranteed to agree on malformed input (bad percent-encoding), and
 * the validation pipe should see every query exactly as before the move to Fastify.
 */
export function parseQueryString(query: string): Record<string, string | string[] | undefined> {
  return parse(query);
}
