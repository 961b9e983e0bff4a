export * from './commands/charge-payment.js';
export * from './commands/handle-webhook.js';
export * from './commands/refund-payment.js';
export * from './ports/index.js';
export * from './queries/payments.js';

import { ChargePaymentHandler } from './commands/charge-payment.js';
import { HandleWebhookHandler } from './commands/handle-webhook.js';
import { RefundPaymentHandler } from './commands/refund-payment.js';
import { GetPaymentHandler, ListPaymentsHandler } from './queries/payments.js';

export const COMMAND_HANDLERS = [ChargePaymentHandler, RefundPaymentHandler, HandleWebhookHandler];
export const QUERY_HANDLERS = [ListPaymentsHandler, GetPaymentHandler];
