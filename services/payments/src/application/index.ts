export * from './commands/charge-payment.js';
export * from './commands/erase-user-payment-details.js';
export * from './commands/handle-webhook.js';
export * from './commands/refund-payment.js';
export * from './payment-view.js';
export * from './ports/index.js';
export * from './queries/get-payment.js';
export * from './queries/list-payments.js';

import { ChargePaymentHandler } from './commands/charge-payment.js';
import { EraseUserPaymentDetailsHandler } from './commands/erase-user-payment-details.js';
import { HandleWebhookHandler } from './commands/handle-webhook.js';
import { RefundPaymentHandler } from './commands/refund-payment.js';
import { GetPaymentHandler } from './queries/get-payment.js';
import { ListPaymentsHandler } from './queries/list-payments.js';

export const COMMAND_HANDLERS = [ChargePaymentHandler, RefundPaymentHandler, HandleWebhookHandler, EraseUserPaymentDetailsHandler];
export const QUERY_HANDLERS = [ListPaymentsHandler, GetPaymentHandler];
