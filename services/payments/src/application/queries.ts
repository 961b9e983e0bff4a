import { ForbiddenError, ValidationError, isUuid } from '@storytelling/kernel';
import { Inject, Injectable } from '@nestjs/common';
import { formatDecimal, paymentNotFound, type Payment } from '../domain/index.js';
import { PAYMENTS_UNIT_OF_WORK, type Keyset, type PaymentsUnitOfWork } from './ports/index.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Who calls (from the verified bearer token). */
export interface Caller {
  userId: string;
  role: string;
}

/** Roles that may read another user's payments (support answers billing questions). */
export const PAYMENT_READER_ROLES: readonly string[] = ['admin', 'super-admin', 'customer-support', 'service'];

export interface PaymentView {
  id: string;
  userId: string;
  subscriptionId: string;
  amountMinor: number;
  currency: string;
  amount: string;
  provider: string;
  providerPaymentId: string;
  status: string;
  failureReason: string;
  description: string;
  refundedMinor: number;
  createdAt: string;
  updatedAt: string;
}

export interface PaymentPage {
  items: PaymentView[];
  nextCursor?: string;
}

@Injectable()
export class PaymentQueries {
  constructor(@Inject(PAYMENTS_UNIT_OF_WORK) private readonly uow: PaymentsUnitOfWork) {}

  /** The caller's payments (or, for support roles, the named user's), newest first. */
  async list(caller: Caller, request: { userId?: string; limit?: number; cursor?: string }): Promise<PaymentPage> {
    const userId = request.userId ? request.userId.toLowerCase() : caller.userId;
    if (userId !== caller.userId && !PAYMENT_READER_ROLES.includes(caller.role)) throw new ForbiddenError("only support roles may read another user's payments", 'FORBIDDEN');
    if (!isUuid(userId)) throw new ValidationError('invalid user id', [{ field: 'userId', message: 'must be a UUID' }]);
    const limit = pageSize(request.limit);
    const rows = await this.uow.reader.listByUser(userId, limit + 1, decodeCursor(request.cursor));
    const more = rows.length > limit;
    const items = (more ? rows.slice(0, limit) : rows).map(toView);
    const last = items[items.length - 1];
    return more && last ? { items, nextCursor: encodeCursor({ at: new Date(last.createdAt), id: last.id }) } : { items };
  }

  /** One payment: its owner (or a support role) sees it; anyone else gets NOT_FOUND, as if it did not exist. */
  async get(caller: Caller, paymentId: string): Promise<PaymentView> {
    if (!isUuid(paymentId)) throw paymentNotFound();
    const payment = await this.uow.reader.findPayment(paymentId.toLowerCase());
    if (!payment || (payment.snapshot.userId !== caller.userId && !PAYMENT_READER_ROLES.includes(caller.role))) throw paymentNotFound();
    return toView(payment);
  }
}

export function toView(payment: Payment): PaymentView {
  const s = payment.snapshot;
  return {
    id: s.id,
    userId: s.userId,
    subscriptionId: s.subscriptionId,
    amountMinor: s.amount.amountMinor,
    currency: s.amount.currency,
    amount: formatDecimal(s.amount.amountMinor, s.amount.currency),
    provider: s.provider,
    providerPaymentId: s.providerPaymentId ?? '',
    status: s.status,
    failureReason: s.failureReason ?? '',
    description: s.description,
    refundedMinor: s.refundedMinor,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export function pageSize(limit: number | undefined): number {
  if (limit === undefined || limit === 0) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new ValidationError('invalid limit', [{ field: 'limit', message: `must be an integer from 1 to ${MAX_PAGE_SIZE}` }]);
  }
  return limit;
}

/** Opaque cursor: base64url of `[<ISO created_at of the last item>, <its id>]` (same scheme as story's lists). */
export function encodeCursor(keyset: Keyset): string {
  return Buffer.from(JSON.stringify([keyset.at.toISOString(), keyset.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): Keyset | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const invalid = () => new ValidationError('invalid cursor', [{ field: 'cursor', message: 'is not a cursor this list returned' }], 'INVALID_CURSOR');
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [at, id] = parsed as unknown[];
  if (typeof at !== 'string' || !isUuid(id)) throw invalid();
  const time = new Date(at);
  if (Number.isNaN(time.getTime()) || time.toISOString() !== at) throw invalid();
  return { at: time, id: id.toLowerCase() };
}
