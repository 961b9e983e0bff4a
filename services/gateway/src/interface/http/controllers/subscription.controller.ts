import { Body, Controller, Get, HttpCode, Inject, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { SUBSCRIPTION_PORT, type SubscriptionPort } from '../../../application/subscription.port.js';
import { NoBody, NoQuery } from '../dto/common.dto.js';
import { ChangeSubscriptionBody, SubscriptionDto, TierListDto } from '../dto/subscription.dto.js';
import { Public } from '../guards/decorators.js';
import { RateLimit } from '../guards/rate-limit.guard.js';
import { ApiIdempotencyKey } from '../openapi/idempotency-key.decorator.js';
import { ApiProblems } from '../openapi/api-problems.decorator.js';
import { API_BASE_PATH } from '../api-prefix.js';

/** Where the caller's subscription is read (the 202's Location). */
export const SUBSCRIPTION_PATH = `${API_BASE_PATH}/subscription`;

/** /subscription: tiers (public), the caller's subscription, paid changes (saga) and cancellation (API.md). */
@ApiTags('subscription')
@RateLimit('default')
@Controller('subscription')
export class SubscriptionController {
  constructor(@Inject(SUBSCRIPTION_PORT) private readonly subscriptions: SubscriptionPort) {}

  @Get('tiers')
  @Public()
  @ApiOperation({ summary: 'The tiers', description: 'Prices as decimal strings (USD; yearly = 10 × monthly); null limits are unlimited.' })
  @ApiOkResponse({ description: 'Every tier, cheapest first', type: TierListDto })
  @ApiProblems(400)
  async tiers(@Query() _query: NoQuery): Promise<TierListDto> {
    return { items: await this.subscriptions.listTiers() };
  }

  @Get()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Your subscription', description: "Every user has one (free from registration). Usage counts this period's use per resource." })
  @ApiOkResponse({ description: 'The subscription', type: SubscriptionDto })
  @ApiProblems(400, 401, 404)
  get(@Query() _query: NoQuery): Promise<SubscriptionDto> {
    return this.subscriptions.getSubscription();
  }

  @Post()
  @HttpCode(202)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Change to a paid tier',
    description:
      'A new paid tier or an upgrade is charged (upgrades pro rata for the rest of the period) and applies once the payment succeeds: ' +
      'the answer shows `pendingChange.status: payment_pending`; GET /subscription until it is gone (active) or `payment_failed` ' +
      '(you stay on your tier). A downgrade or a change of billing cycle is `scheduled` for the period end. One change at a time (409).',
  })
  @ApiIdempotencyKey()
  @ApiAcceptedResponse({ description: 'The subscription with its pending change', type: SubscriptionDto, headers: { Location: { description: 'The subscription', schema: { type: 'string' } } } })
  @ApiProblems(400, 401, 404, 409, 422)
  async change(@Body() body: ChangeSubscriptionBody, @Query() _query: NoQuery, @Res({ passthrough: true }) res: FastifyReply): Promise<SubscriptionDto> {
    const view = await this.subscriptions.changeSubscription({ tierId: body.tierId, billingCycle: body.billingCycle, paymentToken: body.paymentMethod.token });
    res.header('Location', SUBSCRIPTION_PATH);
    return view;
  }

  @Post('cancel')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Cancel at period end', description: 'The paid tier stays until the period ends, then the subscription is free again. The free tier cannot be cancelled (422).' })
  @ApiOkResponse({ description: 'The subscription with cancelAtPeriodEnd: true', type: SubscriptionDto })
  @ApiProblems(400, 401, 404, 409, 422)
  cancel(@Body() _body: NoBody, @Query() _query: NoQuery): Promise<SubscriptionDto> {
    return this.subscriptions.cancelSubscription();
  }
}
