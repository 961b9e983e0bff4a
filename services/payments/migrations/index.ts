import { platformMigrations } from '@storytelling/platform';
import { PaymentsSchema1765000000000 } from './1765000000000-payments-schema.js';
import { SandboxLedger1766000000000 } from './1766000000000-sandbox-ledger.js';

/** payments' migrations, in order: the platform's tables (outbox, inbox) first. */
export const paymentsMigrations = [...platformMigrations, PaymentsSchema1765000000000, SandboxLedger1766000000000];
