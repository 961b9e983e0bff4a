import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ReadinessRegistry } from '@storytelling/platform';
import type { Response } from 'express';
import { Public } from '../guards/decorators.js';
import { RateLimit } from '../guards/rate-limit.guard.js';

/**
 * Liveness and readiness (ARCHITECTURE.md §6), outside /api/v1 and outside the rate limits.
 * LOCAL-UNTIL-SHARED: replace with the platform's health controller when it is published.
 */
@ApiExcludeController()
@Public()
@RateLimit('none')
@Controller()
export class OpsController {
  constructor(private readonly readiness: ReadinessRegistry) {}

  @Get('health')
  @HttpCode(200)
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response): Promise<{ status: 'ready' | 'not_ready'; checks: Record<string, { ok: boolean; error?: string }> }> {
    const report = await this.readiness.report();
    res.status(report.ready ? 200 : 503);
    res.setHeader('Cache-Control', 'no-store');
    return { status: report.ready ? 'ready' : 'not_ready', checks: report.checks };
  }
}
