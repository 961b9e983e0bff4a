import { Global, Module } from '@nestjs/common';
import { ReadinessRegistry } from './readiness.js';

/**
 * The one ReadinessRegistry of an application. Global, so any module (persistence, messaging,
 * rpc clients) can register its checks and the health endpoints can read them.
 */
@Global()
@Module({
  providers: [ReadinessRegistry],
  exports: [ReadinessRegistry],
})
export class HealthCoreModule {}
