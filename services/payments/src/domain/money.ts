import { ValidationError } from '@storytelling/kernel';

/** ISO 4217 currencies whose minor unit is not 1/100 (the rest have two decimals). */
const MINOR_DIGITS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
};

/** Money as integer minor units (cents) and an ISO 4217 code: never floats. */
export interface Money {
  readonly amountMinor: number;
  readonly currency: string;
}

export function money(amountMinor: number | string, currency: string): Money {
  const amount = typeof amountMinor === 'string' ? Number(amountMinor) : amountMinor;
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw new ValidationError('amount must be a positive integer of minor units', [{ field: 'amountMinor', message: 'positive integer' }], 'PAYMENT_AMOUNT_INVALID');
  }
  const code = currency.toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) {
    throw new ValidationError('currency must be an ISO 4217 code', [{ field: 'currency', message: 'three letters' }], 'PAYMENT_CURRENCY_INVALID');
  }
  return { amountMinor: amount, currency: code };
}

export function minorDigits(currency: string): number {
  return MINOR_DIGITS[currency.toUpperCase()] ?? 2;
}

/** "9.99" for 999 USD, "1000" for 1000 JPY: exact, by string arithmetic on the integer. */
export function formatDecimal(amountMinor: number, currency: string): string {
  const digits = minorDigits(currency);
  const sign = amountMinor < 0 ? '-' : '';
  const abs = String(Math.abs(amountMinor));
  if (digits === 0) return sign + abs;
  const padded = abs.padStart(digits + 1, '0');
  return `${sign}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}
