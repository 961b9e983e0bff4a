import type { FastifyReply } from 'fastify';

/**
 * 302 to `url` with the short text body express' `res.redirect` sent to a client that accepts
 * text (clients follow the Location; the body is for people). Location is sent as given: the
 * gateway redirects only to URLs it built or a provider's well-formed authorization URL.
 */
export function redirectFound(reply: FastifyReply, url: string): void {
  reply.code(302).header('Location', url).type('text/plain; charset=utf-8').send(`Found. Redirecting to ${url}`);
}
