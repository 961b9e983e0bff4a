import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

export class PaymentDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ type: String, nullable: true, description: 'The subscription the payment was for.' })
  subscriptionId!: string | null;

  @ApiProperty({ type: 'integer', example: 999, description: 'Integer minor units of the currency (cents for USD): exact, never a float.' })
  amountMinor!: number;

  @ApiProperty({ example: 'USD', pattern: '^[A-Z]{3}$', description: 'ISO 4217.' })
  currency!: string;

  @ApiProperty({ example: '9.99', description: 'The same amount as a decimal string, for display.' })
  amount!: string;

  @ApiProperty({ enum: ['pending', 'succeeded', 'failed', 'refunded'] })
  status!: string;

  @ApiProperty({ example: 'sandbox', description: 'sandbox or stripe.' })
  provider!: string;

  @ApiProperty({ type: String, nullable: true, enum: ['card_declined', 'insufficient_funds', 'invalid_token', 'provider_error'], description: 'Why it failed; null unless failed.' })
  failureReason!: string | null;

  @ApiProperty({ type: 'integer', description: 'Minor units given back so far.' })
  refundedMinor!: number;

  @ApiProperty()
  description!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class PaymentPageDto {
  @ApiProperty({ type: () => [PaymentDto], description: 'Newest first.' })
  items!: PaymentDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor!: string | null;
}

export class WebhookProviderParams {
  @ApiProperty({ example: 'stripe', description: 'The provider that signed the event: stripe or sandbox.' })
  @Matches(/^[a-z][a-z0-9_-]{0,31}$/, { message: 'is not a provider name' })
  provider!: string;
}
