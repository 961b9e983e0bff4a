import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';

// ---------------------------------------------------------------------------------------------
// requests

export class PaymentMethodBody {
  @ApiProperty({ example: 'tok_visa', maxLength: 255, description: 'The provider token the client obtained (sandbox: tok_visa, tok_chargeDeclined, tok_insufficientFunds).' })
  @IsString({ message: 'must be a string' })
  @Matches(/^\S+$/, { message: 'must be a non-empty token without spaces' })
  @MaxLength(255, { message: 'must be at most 255 characters' })
  token!: string;
}

export class ChangeSubscriptionBody {
  @ApiProperty({ example: 'gold', description: 'A paid tier (GET /subscription/tiers). To go back to free, cancel.' })
  @IsString({ message: 'must be a string' })
  @Matches(/^[a-z][a-z0-9_-]{0,31}$/, { message: 'is not a tier id' })
  tierId!: string;

  @ApiProperty({ enum: ['monthly', 'yearly'] })
  @IsIn(['monthly', 'yearly'], { message: 'must be monthly or yearly' })
  billingCycle!: 'monthly' | 'yearly';

  @ApiProperty({ type: () => PaymentMethodBody })
  @IsDefined({ message: 'is required' })
  @ValidateNested()
  @Type(() => PaymentMethodBody)
  paymentMethod!: PaymentMethodBody;
}

// ---------------------------------------------------------------------------------------------
// responses

export class TierLimitsDto {
  @ApiProperty({ type: 'integer', nullable: true, description: 'null: unlimited' })
  storiesPerMonth!: number | null;
  @ApiProperty({ type: 'integer', nullable: true })
  narrationsPerMonth!: number | null;
  @ApiProperty({ type: 'integer', nullable: true })
  videosPerMonth!: number | null;
  @ApiProperty({ type: 'integer', nullable: true })
  videoMaxSeconds!: number | null;
  @ApiProperty({ type: 'integer', nullable: true })
  collaboratorsPerStory!: number | null;
}

export class TierFeaturesDto {
  @ApiProperty()
  voiceCloning!: boolean;
}

export class TierDto {
  @ApiProperty({ example: 'gold' })
  id!: string;
  @ApiProperty({ example: 'Gold' })
  name!: string;
  @ApiProperty({ example: '19.99', description: 'Decimal string.' })
  priceMonthly!: string;
  @ApiProperty({ example: '199.90', description: 'Decimal string (10 × monthly).' })
  priceYearly!: string;
  @ApiProperty({ example: 'USD' })
  currency!: string;
  @ApiProperty({ type: () => TierLimitsDto })
  limits!: TierLimitsDto;
  @ApiProperty({ type: () => TierFeaturesDto })
  features!: TierFeaturesDto;
}

export class TierListDto {
  @ApiProperty({ type: () => [TierDto], description: 'Cheapest first.' })
  items!: TierDto[];
}

export class ResourceUsageDto {
  @ApiProperty({ type: 'integer', description: 'Used this period.' })
  used!: number;
  @ApiProperty({ type: 'integer', nullable: true, description: 'null: unlimited' })
  limit!: number | null;
}

export class UsageDto {
  @ApiProperty({ type: () => ResourceUsageDto })
  stories!: ResourceUsageDto;
  @ApiProperty({ type: () => ResourceUsageDto })
  narrations!: ResourceUsageDto;
  @ApiProperty({ type: () => ResourceUsageDto })
  videos!: ResourceUsageDto;
}

export class PendingChangeDto {
  @ApiProperty({ example: 'gold' })
  tier!: string;
  @ApiProperty({ enum: ['monthly', 'yearly'] })
  billingCycle!: string;
  @ApiProperty({ enum: ['payment_pending', 'scheduled', 'payment_failed'], description: 'payment_pending: being charged; scheduled: applies at effectiveAt; payment_failed: the charge was refused.' })
  status!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  effectiveAt!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'card_declined' })
  failureReason!: string | null;
}

export class SubscriptionDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: 'free', description: 'The tier in force now.' })
  tier!: string;
  @ApiProperty({ enum: ['pending', 'active', 'payment_failed', 'cancelled', 'expired', 'suspended'] })
  status!: string;
  @ApiProperty({ enum: ['monthly', 'yearly'] })
  billingCycle!: string;
  @ApiProperty({ format: 'date-time' })
  currentPeriodStart!: string;
  @ApiProperty({ format: 'date-time' })
  currentPeriodEnd!: string;
  @ApiProperty()
  cancelAtPeriodEnd!: boolean;
  @ApiProperty({ type: () => UsageDto, description: "This period's usage per resource." })
  usage!: UsageDto;
  @ApiProperty({ type: () => PendingChangeDto, nullable: true, description: 'A tier change in flight, or null.' })
  pendingChange!: PendingChangeDto | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'While a failed renewal is retried (status payment_failed, the paid tier still in force): when it ends unless a charge succeeds; null otherwise.',
  })
  graceEndsAt!: string | null;
  @ApiProperty({ type: 'integer' })
  version!: number;
}
