import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { PAYMENTS_PORT, WebhookSignatureRejectedError, type PaymentsPort } from '../../../application/payments.port.js';
import { NoQuery } from '../dto/common.dto.js';
import { PaymentPageDto, WebhookProviderParams } from '../dto/payments.dto.js';
import { PageQuery } from '../dto/story.dto.js';
import { Public } from '../guards/decorators.js';
import { RateLimit } from '../guards/rate-limit.guard.js';
import { ApiProblems } from '../openapi/api-problems.decorator.js';
import { ProblemException } from '../problem/problem.js';
import { DEFAULT_PAGE_SIZE } from './stories.controller.js';

/** Headers a provider's signature check may need; nothing else (cookies, tokens) is forwarded. */
const FORWARDED_WEBHOOK_HEADER = /^(content-type|user-agent|[a-z0-9-]*-signature)$/;

/** /payments: the caller's payment history and the providers' webhooks (API.md § Subscription and payments). */
@ApiTags('payments')
@RateLimit('default')
@Controller('payments')
export class PaymentsController {
  constructor(@Inject(PAYMENTS_PORT) private readonly payments: PaymentsPort) {}

  @Get()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Your payment history', description: 'Newest first. Amounts are integer minor units with an ISO currency, plus a decimal string.' })
  @ApiOkResponse({ description: 'One page of payments', type: PaymentPageDto })
  @ApiProblems(400, 401)
  list(@Query() query: PageQuery): Promise<PaymentPageDto> {
    return this.payments.listPayments({ limit: query.limit ?? DEFAULT_PAGE_SIZE, ...(query.cursor !== undefined ? { cursor: query.cursor } : {}) });
  }

  @Post('webhooks/:provider')
  @Public()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Provider webhook (signed)',
    description:
      'Called by the payment provider, not by clients. The raw body is forwarded byte for byte with its signature header ' +
      '(`stripe-signature`, or `sandbox-signature` for the sandbox: `t=<unix>,v1=<HMAC-SHA256 of "<t>.<body>">`, 300 s tolerance). ' +
      'Replays (same provider event id) and late events are answered 204 and change nothing. A bad or expired signature is 400 WEBHOOK_SIGNATURE_INVALID; ' +
      'a signed body that is not an event is 400 WEBHOOK_PAYLOAD_INVALID, one nested deeper than 32 levels 400 JSON_TOO_DEEP.',
  })
  @ApiConsumes('application/json')
  @ApiBody({ description: "The provider's event, exactly as it sent it.", schema: { type: 'object' } })
  @ApiNoContentResponse({ description: 'Accepted (applied, a duplicate, or nothing to do)' })
  @ApiProblems(400, 404, 413)
  async webhook(@Param() params: WebhookProviderParams, @Query() _query: NoQuery, @Req() req: FastifyRequest): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      const lower = name.toLowerCase();
      if (typeof value === 'string' && FORWARDED_WEBHOOK_HEADER.test(lower)) headers[lower] = value;
    }
    const payload = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    try {
      await this.payments.handleWebhook(params.provider, payload, headers);
    } catch (err) {
      // A provider is not a bearer client: 400 (what Stripe expects on a failed check), no challenge.
      if (err instanceof WebhookSignatureRejectedError) throw ProblemException.of('WEBHOOK_SIGNATURE_INVALID', err.detail);
      throw err;
    }
  }
}
