import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ReadinessRegistry } from './readiness.js';

/** What express' response and Fastify's reply both offer (`send` of an object answers JSON on both). */
interface JsonResponse {
  status(code: number): JsonResponse;
  send(body: unknown): unknown;
}

/**
 * GET /health: liveness, 200 while the process runs (checks nothing external, so a database
 * outage never restarts pods). GET /ready: readiness from ReadinessRegistry, 200 or 503 with the
 * report as JSON. Optional checks are reported without deciding: `checks.consumers.ok` tells
 * whether the Kafka consumer has joined its group (a service serves before that).
 */
@Controller()
export class HealthController {
  constructor(@Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry) {}

  @Get('health')
  @Header('Cache-Control', 'no-store')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @Header('Cache-Control', 'no-store')
  async ready(@Res() res: JsonResponse): Promise<void> {
    const report = await this.readiness.report();
    res.status(report.ready ? 200 : 503).send({ status: report.ready ? 'ready' : 'not_ready', ...report });
  }
}
