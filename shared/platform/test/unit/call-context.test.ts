import grpcJs from '@grpc/grpc-js';
import { bearerTokenFrom, contextFromMetadata, metadataFromContext } from '../../src/rpc/index.js';
import { currentContext, runWithContext, type RequestContext } from '../../src/context/index.js';

describe('rpc: correlation metadata round trip', () => {
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it('carries correlation id, causation id, traceparent and bearer token through metadata', () => {
    const ctx: RequestContext = { correlationId: 'req-1', causationId: 'evt-9', traceparent, bearerToken: 'aaa.bbb.ccc' };
    const md = runWithContext(ctx, () => metadataFromContext());
    expect(md.get('authorization')).toEqual(['Bearer aaa.bbb.ccc']);
    expect(md.get('x-correlation-id')).toEqual(['req-1']);
    expect(md.get('x-causation-id')).toEqual(['evt-9']);
    expect(md.get('traceparent')).toEqual([traceparent]);
    expect(contextFromMetadata(md)).toEqual(ctx);
  });

  it('writes nothing outside a context and keeps metadata the caller set', () => {
    expect(currentContext()).toBeUndefined();
    expect(metadataFromContext().getMap()).toEqual({});
    const md = new grpcJs.Metadata();
    md.set('authorization', 'Bearer service-token');
    metadataFromContext({ correlationId: 'c', bearerToken: 'user-token' }, md);
    expect(md.get('authorization')).toEqual(['Bearer service-token']);
    expect(md.get('x-correlation-id')).toEqual(['c']);
  });

  it('replaces a missing or hostile correlation id and drops a malformed traceparent', () => {
    const fresh = contextFromMetadata(new grpcJs.Metadata());
    expect(fresh.correlationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(fresh.bearerToken).toBeUndefined();

    const md = new grpcJs.Metadata();
    md.set('x-correlation-id', 'abc def {"level":60}');
    md.set('traceparent', 'garbage');
    md.set('authorization', 'Basic dXNlcjpwYXNz');
    const ctx = contextFromMetadata(md);
    expect(ctx.correlationId).not.toContain('level');
    expect(ctx.traceparent).toBeUndefined();
    expect(ctx.bearerToken).toBeUndefined();
  });

  it('carries a valid Idempotency-Key and drops an invalid one', () => {
    const md = runWithContext({ correlationId: 'c', idempotencyKey: 'order-42:retry' }, () => metadataFromContext());
    expect(md.get('idempotency-key')).toEqual(['order-42:retry']);
    expect(contextFromMetadata(md).idempotencyKey).toBe('order-42:retry');
    for (const bad of ['', 'has space', 'x'.repeat(256), 'a"{}"b c']) {
      const m = new grpcJs.Metadata();
      m.set('idempotency-key', bad);
      expect(contextFromMetadata(m).idempotencyKey).toBeUndefined();
    }
  });

  it('parses bearer authorization values', () => {
    expect(bearerTokenFrom('Bearer x.y.z')).toBe('x.y.z');
    expect(bearerTokenFrom('bearer   x.y.z ')).toBe('x.y.z');
    expect(bearerTokenFrom('Bearer')).toBeUndefined();
    expect(bearerTokenFrom(undefined)).toBeUndefined();
  });
});
