import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { member, startNarrationStack, type Member, type NarrationStack } from '../../../narration/test/support/narration-stack.js';
import { startGateway } from './app.js';
import type { CreateGatewayAppOptions } from '../../src/app.js';
import type { HttpServer } from './http.js';

/** The gateway in front of narration's real stack (identity, story, narration; media store shared), two members, a scratch folder. */
export interface NarrationGateway {
  stack: NarrationStack;
  gateway: INestApplication;
  http: HttpServer;
  scratch: string;
  ann: Member;
  bob: Member;
  close(): Promise<void>;
}

export async function startNarrationGateway(
  name: string,
  extra: { env?: (stack: NarrationStack) => Record<string, string>; options?: CreateGatewayAppOptions } = {},
): Promise<NarrationGateway> {
  const stack = await startNarrationStack(name);
  const gateway = await startGateway(
    {
      IDENTITY_GRPC_URL: stack.identity.handle.grpcUrl!,
      STORY_GRPC_URL: stack.story.handle.grpcUrl!,
      NARRATION_GRPC_URL: stack.narration.handle.grpcUrl!,
      PUBLIC_BASE_URL: 'http://gateway.test',
      ...(extra.env?.(stack) ?? {}),
    },
    { objectStorage: stack.objects, ...(extra.options ?? {}) },
  );
  const scratch = await mkdtemp(join(tmpdir(), `${name}-`));
  const [ann, bob] = await Promise.all([member(stack, 'Ann'), member(stack, 'Bob')]);
  return {
    stack,
    gateway,
    http: gateway.getHttpServer() as HttpServer,
    scratch,
    ann,
    bob,
    close: async () => {
      await gateway.close();
      await stack.close();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
