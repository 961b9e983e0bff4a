import { Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthController, MetricsController } from '@storytelling/platform';
import { Public } from '../guards/decorators.js';
import { RateLimit } from '../guards/rate-limit.guard.js';

/**
 * The platform's /health and /ready (ARCHITECTURE.md §6), at the root, public, outside the rate
 * limits and the OpenAPI document. Subclassed only to carry the gateway's route metadata.
 */
@ApiExcludeController()
@Public()
@RateLimit('none')
@Controller()
export class GatewayHealthController extends HealthController {}

/** The platform's /metrics (Prometheus text). Keep it off the public ingress. */
@ApiExcludeController()
@Public()
@RateLimit('none')
@Controller()
export class GatewayMetricsController extends MetricsController {}
