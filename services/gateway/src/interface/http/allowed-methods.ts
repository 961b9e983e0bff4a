import type { FastifyInstance } from 'fastify';

/** Route config flag of a route that serves files, not the API (like express.static, no reason for a 405). */
export const STATIC_ASSET_ROUTE = 'staticAsset';

interface KnownRoute {
  pattern: RegExp;
  methods: Set<string>;
}

/** A route URL (`/api/v1/stories/:id`, `/api/v1/files/*`) as a path test: case-insensitive, optional trailing slash. */
function patternOf(url: string): RegExp {
  const source = url
    .replace(/\/+$/, '')
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.+';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}/?$`, 'i');
}

/**
 * The methods some route answers at a path, for 405 + Allow instead of 404 (express' router stack
 * gave them before; find-my-way has no "which methods match this path"). Every route registered
 * on `fastify` from now on is recorded; GET implies HEAD.
 */
export function recordAllowedMethods(fastify: FastifyInstance): (path: string) => string[] {
  const routes = new Map<string, KnownRoute>();
  fastify.addHook('onRoute', (route) => {
    if ((route.config as Record<string, unknown> | undefined)?.[STATIC_ASSET_ROUTE] === true) return;
    const known = routes.get(route.url) ?? { pattern: patternOf(route.url), methods: new Set<string>() };
    for (const method of [route.method].flat()) known.methods.add(method.toUpperCase());
    routes.set(route.url, known);
  });
  return (path) => {
    const methods = new Set<string>();
    for (const route of routes.values()) if (route.pattern.test(path)) for (const m of route.methods) methods.add(m);
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}
