import { Controller, Get, Header, Res } from '@nestjs/common';
import { renderMetrics } from './registry.js';

/** What express' response and Fastify's reply both offer. */
interface TextResponse {
  header(name: string, value: string): unknown;
  send(body: string): unknown;
}

/** GET /metrics in the Prometheus text format. */
@Controller()
export class MetricsController {
  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metrics(@Res() res: TextResponse): Promise<void> {
    const { contentType, body } = await renderMetrics();
    res.header('Content-Type', contentType);
    res.send(body);
  }
}
