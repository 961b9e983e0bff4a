import { BusinessRuleError, ConflictError, NotFoundError, UnauthenticatedError, ValidationError } from '@storytelling/kernel';

export const paymentNotFound = () => new NotFoundError('payment', 'PAYMENT_NOT_FOUND');
export const providerNotFound = (provider: string) => new NotFoundError(`payment provider "${provider}"`, 'PAYMENT_PROVIDER_NOT_FOUND');
export const webhookSignatureInvalid = (why: string) => new UnauthenticatedError('WEBHOOK_SIGNATURE_INVALID', `webhook signature invalid: ${why}`);
export const webhookPayloadInvalid = (why: string) => new ValidationError(`webhook payload invalid: ${why}`, [], 'WEBHOOK_PAYLOAD_INVALID');
/** The code the gateway's JSON routes answer for the same input (docs/api-errors.md). */
export const webhookPayloadTooDeep = (maxDepth: number) => new ValidationError(`webhook payload nests arrays and objects deeper than ${maxDepth} levels`, [], 'JSON_TOO_DEEP');
export const refundNotAllowed = (why: string) => new BusinessRuleError('PAYMENT_NOT_REFUNDABLE', why);
/** A ChargePayment naming an existing payment with other facts: a sender bug, not something to retry. */
export const chargeMismatch = (why: string) => new ConflictError('PAYMENT_CHARGE_MISMATCH', why);
