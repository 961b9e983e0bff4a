import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Module } from '@nestjs/common';
import { GrpcMethod, RpcException } from '@nestjs/microservices';
import grpcJs from '@grpc/grpc-js';
import type { Metadata } from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import healthCheck from 'grpc-health-check';
import {
  BusinessRuleError,
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
  VersionConflictError,
  type ErrorKind,
} from '@storytelling/kernel';
import { identity, PROTO_SERVICES } from '@storytelling/contracts';
import {
  bootstrapService,
  createGrpcClient,
  currentContext,
  grpcErrorToProblem,
  runWithContext,
  type GrpcClient,
  type ServiceHandle,
} from '@storytelling/platform';

// A tiny service of our own, defined here so the test does not depend on any context's proto.
const TEST_PROTO = `
syntax = "proto3";
package platformtest.v1;

service EchoService {
  rpc Echo(EchoRequest) returns (EchoResponse);
  rpc Fail(FailRequest) returns (FailResponse);
  rpc Slow(SlowRequest) returns (SlowResponse);
}
message EchoRequest { string text = 1; }
message EchoResponse { string text = 1; string correlation_id = 2; string bearer_token = 3; string traceparent = 4; int64 big = 5; int64 deadline = 6; }
message FailRequest { string kind = 1; }
message FailResponse {}
message SlowRequest { int32 millis = 1; }
message SlowResponse {}
`;

interface EchoResponse {
  text: string;
  correlationId: string;
  bearerToken: string;
  traceparent: string;
  big: string;
  deadline: string;
}
interface EchoServiceClient {
  echo(request: { text: string }, metadata?: Metadata): import('rxjs').Observable<EchoResponse>;
  fail(request: { kind: string }, metadata?: Metadata): import('rxjs').Observable<Record<string, never>>;
  slow(request: { millis: number }, metadata?: Metadata): import('rxjs').Observable<Record<string, never>>;
}

const FAILURES: Record<string, () => Error> = {
  validation: () => new ValidationError('bad input', [{ field: 'email', message: 'is not an email address — é' }]),
  unauthenticated: () => new UnauthenticatedError('INVALID_CREDENTIALS', 'wrong email or password'),
  forbidden: () => new ForbiddenError(),
  not_found: () => new NotFoundError('story'),
  conflict: () => new ConflictError('EMAIL_TAKEN', 'email already registered'),
  precondition: () => new VersionConflictError('agg-1', 3),
  business_rule: () => new BusinessRuleError('QUOTA_EXCEEDED', 'monthly quota used up'),
  unavailable: () => new DomainError('unavailable', 'PROVIDER_DOWN', 'tts provider down'),
  bug: () => new TypeError('cannot read properties of undefined (secret internals)'),
};

@Controller()
class EchoController {
  @GrpcMethod('EchoService', 'Echo')
  echo(request: { text: string }): EchoResponse {
    const ctx = currentContext();
    return {
      text: request.text,
      correlationId: ctx?.correlationId ?? '',
      bearerToken: ctx?.bearerToken ?? '',
      traceparent: ctx?.traceparent ?? '',
      big: '9007199254740993',
      deadline: String(ctx?.deadline ?? 0),
    };
  }

  @GrpcMethod('EchoService', 'Fail')
  fail(request: { kind: string }): Record<string, never> {
    const make = FAILURES[request.kind];
    if (!make) return {};
    throw make();
  }

  @GrpcMethod('EchoService', 'Slow')
  async slow(request: { millis: number }): Promise<Record<string, never>> {
    await new Promise((r) => setTimeout(r, request.millis));
    return {};
  }
}

function unimplemented(): never {
  throw new RpcException({ code: grpcJs.status.UNIMPLEMENTED, message: 'not in this fake' });
}

/** An IdentityService fake implementing the generated controller interface (two real methods). */
@Controller()
@identity.IdentityServiceControllerMethods()
class FakeIdentityController implements identity.IdentityServiceController {
  register(): never {
    return unimplemented();
  }
  login(): never {
    return unimplemented();
  }
  refreshToken(): never {
    return unimplemented();
  }
  logout(): never {
    return unimplemented();
  }
  startOidcLogin(): never {
    return unimplemented();
  }
  completeOidcLogin(): never {
    return unimplemented();
  }
  updateProfile(): never {
    return unimplemented();
  }
  getUser(): never {
    return unimplemented();
  }
  getUsers(): never {
    return unimplemented();
  }
  assignRole(): never {
    return unimplemented();
  }
  listRoles(): never {
    return unimplemented();
  }
  grantPermission(): never {
    return unimplemented();
  }
  checkPermission(): never {
    return unimplemented();
  }
  issueServiceToken(): never {
    return unimplemented();
  }
  deleteAccount(): never {
    return unimplemented();
  }
  listRevokedAccessTokens(): never {
    return unimplemented();
  }

  getJwks(): identity.GetJwksResponse {
    return { keys: [{ kty: 'RSA', kid: 'k1', use: 'sig', alg: 'RS256', n: 'AQAB', e: 'AQAB' }] };
  }

  getMe(_request: identity.GetMeRequest, metadata?: Metadata): identity.GetMeResponse {
    if (!currentContext()?.bearerToken) throw new UnauthenticatedError();
    return {
      user: {
        id: '0190a000-0000-7000-8000-000000000001',
        email: 'ada@example.com',
        displayName: String(metadata?.get('x-correlation-id')[0] ?? ''),
        language: 'en',
        role: 'member',
        createdAt: '2026-01-01T00:00:00.000Z',
      },
    };
  }
}

@Module({ controllers: [EchoController, FakeIdentityController] })
class TestModule {}

const ALL_KINDS: ErrorKind[] = ['validation', 'unauthenticated', 'forbidden', 'not_found', 'conflict', 'precondition', 'business_rule', 'unavailable'];

describe('rpc: in-process gRPC server through bootstrapService', () => {
  let service: ServiceHandle;
  let echo: GrpcClient<EchoServiceClient>;
  let protoDir: string;

  beforeAll(async () => {
    protoDir = mkdtempSync(join(tmpdir(), 'rpc-test-'));
    writeFileSync(join(protoDir, 'echo.proto'), TEST_PROTO);
    service = await bootstrapService({
      name: 'rpc-test',
      module: TestModule,
      config: { HOST: '127.0.0.1', HTTP_PORT: 0, GRPC_PORT: 0 },
      grpc: {
        packages: ['platformtest.v1', PROTO_SERVICES.identity.package],
        protoFiles: [join(protoDir, 'echo.proto'), PROTO_SERVICES.identity.file],
      },
      shutdownHooks: false,
      healthIntervalMs: 60_000,
    });
    echo = createGrpcClient<EchoServiceClient>(
      { package: 'platformtest.v1', service: 'EchoService', file: join(protoDir, 'echo.proto') },
      { url: service.grpcUrl!, deadlineMs: 2000 },
    );
  });

  afterAll(async () => {
    echo?.close();
    await service?.close();
  });

  it('forwards correlation id, bearer token and traceparent from the caller context', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const res = await runWithContext({ correlationId: 'corr-123', bearerToken: 'tok.en.x', traceparent }, () => echo.echo({ text: 'hi' }));
    expect(res).toEqual({ text: 'hi', correlationId: 'corr-123', bearerToken: 'tok.en.x', traceparent, big: '9007199254740993', deadline: expect.stringMatching(/^\d{13}$/) });
  });

  it('gives a call without context a fresh correlation id and no token', async () => {
    const res = await echo.echo({ text: 'x' });
    expect(res.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.bearerToken).toBe('');
  });

  it.each(ALL_KINDS)('maps a %s DomainError to its gRPC status and back to the right problem', async (kind) => {
    const err = await echo.fail({ kind }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const expected = {
      validation: [grpcJs.status.INVALID_ARGUMENT, 400, 'VALIDATION_FAILED'],
      unauthenticated: [grpcJs.status.UNAUTHENTICATED, 401, 'INVALID_CREDENTIALS'],
      forbidden: [grpcJs.status.PERMISSION_DENIED, 403, 'FORBIDDEN'],
      not_found: [grpcJs.status.NOT_FOUND, 404, 'NOT_FOUND'],
      conflict: [grpcJs.status.ALREADY_EXISTS, 409, 'EMAIL_TAKEN'],
      precondition: [grpcJs.status.FAILED_PRECONDITION, 412, 'VERSION_CONFLICT'],
      business_rule: [grpcJs.status.FAILED_PRECONDITION, 422, 'QUOTA_EXCEEDED'],
      unavailable: [grpcJs.status.UNAVAILABLE, 503, 'PROVIDER_DOWN'],
    }[kind];
    expect((err as { code: number }).code).toBe(expected[0]);
    const problem = grpcErrorToProblem(err);
    expect(problem.status).toBe(expected[1]);
    expect(problem.code).toBe(expected[2]);
    if (kind === 'validation') {
      expect(problem.errors).toEqual([{ field: 'email', message: 'is not an email address — é' }]);
      expect(problem.detail).toBe('bad input');
    }
    if (kind === 'unavailable') expect(problem.retryAfter).toBeGreaterThan(0);
  });

  it('answers an unexpected error with INTERNAL and no detail', async () => {
    const err = (await echo.fail({ kind: 'bug' }).catch((e: unknown) => e)) as { code: number; details: string };
    expect(err.code).toBe(grpcJs.status.INTERNAL);
    expect(err.details).toBe('internal error');
    const problem = grpcErrorToProblem(err);
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(JSON.stringify(problem)).not.toContain('secret internals');
  });

  it("puts the call's deadline in the handler's context, and an outgoing call inherits a nearer one", async () => {
    const own = Date.now();
    const direct = await echo.echo({ text: 'd' }, { deadlineMs: 3000 });
    expect(Number(direct.deadline)).toBeGreaterThan(own + 2000);
    expect(Number(direct.deadline)).toBeLessThanOrEqual(Date.now() + 3000);
    // Inside a call whose caller gives up in 800 ms, a downstream call (client default 5 s) gets
    // at most what is left, so nothing downstream outlives the caller's wait.
    const inherited = Date.now() + 800;
    const nested = await runWithContext({ correlationId: 'c-deadline', deadline: inherited }, () => echo.echo({ text: 'n' }));
    expect(Number(nested.deadline)).toBeGreaterThan(inherited - 200);
    expect(Number(nested.deadline)).toBeLessThanOrEqual(inherited + 50);
  });

  it('maps an exceeded deadline to a 503 problem with retryAfter', async () => {
    const err = await echo.slow({ millis: 500 }, { deadlineMs: 50 }).catch((e: unknown) => e);
    expect((err as { code: number }).code).toBe(grpcJs.status.DEADLINE_EXCEEDED);
    const problem = grpcErrorToProblem(err);
    expect(problem).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(problem.retryAfter).toBeGreaterThan(0);
  });

  it('maps an unreachable server to a 503 problem', async () => {
    const dead = createGrpcClient<EchoServiceClient>(
      { package: 'platformtest.v1', service: 'EchoService', file: join(protoDir, 'echo.proto') },
      { url: '127.0.0.1:1', deadlineMs: 500 },
    );
    try {
      const err = await dead.echo({ text: 'x' }).catch((e: unknown) => e);
      expect([grpcJs.status.UNAVAILABLE, grpcJs.status.DEADLINE_EXCEEDED]).toContain((err as { code: number }).code);
      expect(grpcErrorToProblem(err).status).toBe(503);
    } finally {
      dead.close();
    }
  });

  it('serves a generated controller interface (IdentityService) to a typed client', async () => {
    const client = createGrpcClient<identity.IdentityServiceClient>(PROTO_SERVICES.identity, { url: service.grpcUrl!, deadlineMs: 2000 });
    try {
      await expect(client.getJwks({})).resolves.toEqual({ keys: [{ kty: 'RSA', kid: 'k1', use: 'sig', alg: 'RS256', n: 'AQAB', e: 'AQAB' }] });
      const anonymous = await client.getMe({}).catch((e: unknown) => e);
      expect(grpcErrorToProblem(anonymous)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
      const me = await runWithContext({ correlationId: 'c-42', bearerToken: 'abc' }, () => client.getMe({}));
      expect(me.user).toMatchObject({ email: 'ada@example.com', displayName: 'c-42', role: 'member' });
      // Methods the controller does not implement are UNIMPLEMENTED, never a 500 with details.
      const missing = await client.listRoles({}).catch((e: unknown) => e);
      expect((missing as { code: number }).code).toBe(grpcJs.status.UNIMPLEMENTED);
    } finally {
      client.close();
    }
  });

  it('serves /health, /ready and /metrics over HTTP', async () => {
    const health = await fetch(`${service.httpUrl}/health`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${service.httpUrl}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true });
    const metrics = await (await fetch(`${service.httpUrl}/metrics`)).text();
    expect(metrics).toContain('grpc_server_handling_seconds_count{grpc_service="platformtest.v1.EchoService",grpc_method="Echo",grpc_code="OK"}');
    // RED per RPC on both ends and per route: the client's view of the same calls, the matched route.
    expect(metrics).toMatch(/grpc_client_handling_seconds_count\{grpc_service="[\w.]*EchoService",grpc_method="Echo",grpc_code="OK"\} [1-9]/);
    expect(metrics).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/health",status_code="200"\} [1-9]/);
    expect(metrics).toContain('process_cpu_user_seconds_total');
  });

  it('reports gRPC health SERVING / NOT_SERVING from the readiness registry', async () => {
    const definition = protoLoader.loadSync(healthCheck.protoPath, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
    const loaded = grpcJs.loadPackageDefinition(definition) as unknown as {
      grpc: { health: { v1: { Health: new (url: string, creds: grpcJs.ChannelCredentials) => grpcJs.Client & { check: Function } } } };
    };
    const client = new loaded.grpc.health.v1.Health(service.grpcUrl!, grpcJs.credentials.createInsecure());
    const check = (name: string): Promise<string> =>
      new Promise((resolve, reject) =>
        (client.check as (req: { service: string }, cb: (err: Error | null, res?: { status: string }) => void) => void)(
          { service: name },
          (err, res) => (err ? reject(err) : resolve(res!.status)),
        ),
      );
    try {
      await service.grpcHealth!.refresh();
      expect(await check('')).toBe('SERVING');
      expect(await check('platformtest.v1.EchoService')).toBe('SERVING');
      expect(await check('storytelling.identity.v1.IdentityService')).toBe('SERVING');

      let databaseUp = false;
      service.readiness.register({
        name: 'database',
        check: async () => {
          if (!databaseUp) throw new Error('connection refused');
        },
      });
      await service.grpcHealth!.refresh();
      expect(await check('')).toBe('NOT_SERVING');
      const ready = await fetch(`${service.httpUrl}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ ready: false, checks: { database: { ok: false, error: 'connection refused' } } });

      databaseUp = true;
      await service.grpcHealth!.refresh();
      expect(await check('')).toBe('SERVING');
    } finally {
      client.close();
    }
  });
});

describe('rpc: graceful shutdown', () => {
  it('marks not-ready, drains an in-flight call, then stops', async () => {
    const protoDir = mkdtempSync(join(tmpdir(), 'rpc-test-'));
    writeFileSync(join(protoDir, 'echo.proto'), TEST_PROTO);
    const svc = await bootstrapService({
      name: 'rpc-shutdown-test',
      module: TestModule,
      config: { HOST: '127.0.0.1', HTTP_PORT: 0, GRPC_PORT: 0 },
      grpc: { packages: 'platformtest.v1', protoFiles: [join(protoDir, 'echo.proto')] },
      shutdownHooks: false,
    });
    const client = createGrpcClient<EchoServiceClient>(
      { package: 'platformtest.v1', service: 'EchoService', file: join(protoDir, 'echo.proto') },
      { url: svc.grpcUrl!, deadlineMs: 5000 },
    );
    try {
      await client.echo({ text: 'warm up' });
      const inflight = client.slow({ millis: 300 });
      await new Promise((r) => setTimeout(r, 50));
      const closing = svc.close();
      await expect(inflight).resolves.toEqual({});
      await closing;
      expect(svc.grpcHealth!.status).toBe('NOT_SERVING');
      expect((await svc.readiness.report()).ready).toBe(false);
      const after = await client.echo({ text: 'late' }, { deadlineMs: 300 }).catch((e: unknown) => e);
      expect(grpcErrorToProblem(after).status).toBe(503);
    } finally {
      client.close();
    }
  });
});
