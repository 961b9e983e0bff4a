import { Controller, Inject } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { CallerResolver, type MetadataLike } from '@storytelling/platform';
import { payments } from '@storytelling/contracts';
import { GetPaymentQuery, HandleWebhookCommand, ListPaymentsQuery, type PaymentView } from '../application/index.js';

/** Headers a webhook verifier may need; everything else the gateway forwards is dropped. */
const WEBHOOK_HEADER_LIMIT = 50;

/**
 * payments' gRPC surface (proto/storytelling/payments/v1/payments_service.proto). ListPayments and
 * GetPayment act for the verified caller (a user, or a fleet service); HandleWebhook is public:
 * the provider's signature is its authentication. Domain errors map to gRPC statuses in the
 * platform's filter. Each method resolves the caller (where there is one), then runs a command or
 * query on the bus.
 */
@Controller()
@payments.PaymentsServiceControllerMethods()
export class PaymentsGrpcController implements payments.PaymentsServiceController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
    @Inject(CallerResolver) private readonly callers: CallerResolver,
  ) {}

  async listPayments(request: payments.ListPaymentsRequest, metadata?: MetadataLike): Promise<payments.ListPaymentsResponse> {
    const caller = await this.callers.requireUserOrService(metadata);
    const page = await this.queries.execute(
      new ListPaymentsQuery(caller, {
        ...(request.userId ? { userId: request.userId } : {}),
        ...(request.page?.limit ? { limit: request.page.limit } : {}),
        ...(request.page?.cursor ? { cursor: request.page.cursor } : {}),
      }),
    );
    return { payments: page.items.map(toProto), page: { nextCursor: page.nextCursor ?? '' } };
  }

  async getPayment(request: payments.GetPaymentRequest, metadata?: MetadataLike): Promise<payments.GetPaymentResponse> {
    const caller = await this.callers.requireUserOrService(metadata);
    return { payment: toProto(await this.queries.execute(new GetPaymentQuery(caller, request.paymentId))) };
  }

  async handleWebhook(request: payments.HandleWebhookRequest): Promise<payments.HandleWebhookResponse> {
    const headers: Record<string, string> = {};
    for (const h of request.headers.slice(0, WEBHOOK_HEADER_LIMIT)) headers[h.name.toLowerCase()] = h.value;
    const outcome = await this.commands.execute(new HandleWebhookCommand(request.provider, Buffer.from(request.payload), headers));
    return { outcome };
  }
}

function toProto(view: PaymentView): payments.Payment {
  return { ...view, amountMinor: String(view.amountMinor), refundedMinor: String(view.refundedMinor) };
}
