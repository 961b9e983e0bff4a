import type { ChargeRequest, ChargeResult, PaymentProvider, RefundRequest, RefundResult } from '../../src/application/index.js';
import { ProviderUnavailableError } from '../../src/application/index.js';
import { SandboxPaymentProvider } from '../../src/infrastructure/providers/index.js';

/**
 * The sandbox provider with hooks: count calls, fail the next N calls as an outage, or run
 * `afterCharge` once the sandbox has charged (to simulate a crash before the commit). One
 * instance can be shared by two app instances in a test, like one external provider.
 */
export class ControllableProvider implements PaymentProvider {
  readonly name = 'sandbox';
  readonly sandbox = new SandboxPaymentProvider();
  outages = 0;
  afterCharge: ((request: ChargeRequest, result: ChargeResult) => Promise<void>) | undefined;
  refundCalls = 0;

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    if (this.outages > 0) {
      this.outages--;
      throw new ProviderUnavailableError('sandbox: simulated outage (503)');
    }
    const result = await this.sandbox.charge(request);
    const hook = this.afterCharge;
    if (hook) {
      this.afterCharge = undefined;
      await hook(request, result);
    }
    return result;
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    this.refundCalls++;
    return this.sandbox.refund(request);
  }
}
