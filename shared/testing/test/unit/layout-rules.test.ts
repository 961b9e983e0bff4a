import {
  callerRule,
  e2eTestRule,
  formatViolation,
  handlerRule,
  handWrittenMessagingRule,
  inboundMessageRule,
  lineCount,
  moduleSizeRule,
  repositoryNamingRule,
  repositoryPortRule,
  serviceLayoutViolations,
  stringLiterals,
  workerRule,
} from '../../../../scripts/lib/layout-rules.mjs';

const src = (rest: string) => `services/shop/src/${rest}`;

const commandFile = [
  "import { Command, CommandHandler } from '@nestjs/cqrs';",
  'export class PlaceOrderCommand extends Command<void> {}',
  '@CommandHandler(PlaceOrderCommand)',
  'export class PlaceOrderHandler {}',
].join('\n');

const queryFile = ['export class GetOrderQuery {}', '@QueryHandler(GetOrderQuery)', 'export class GetOrderHandler {}'].join('\n');

describe('(a) one command or query and its handler per file', () => {
  it('passes one @CommandHandler in commands/ and one @QueryHandler in queries/', () => {
    expect(handlerRule(src('application/commands/place-order.ts'), commandFile)).toEqual([]);
    expect(handlerRule(src('application/queries/get-order.ts'), queryFile)).toEqual([]);
    expect(handlerRule(src('application/views.ts'), 'export interface OrderView {}')).toEqual([]);
  });

  it('ignores handlers that are only mentioned in comments', () => {
    expect(handlerRule(src('application/index.ts'), '// every @CommandHandler( is listed here\n/* @QueryHandler(X) */')).toEqual([]);
  });

  it('fails two handlers in one file, none, the wrong kind, or a handler elsewhere', () => {
    expect(handlerRule(src('application/commands/orders.ts'), `${commandFile}\n@CommandHandler(Other)\nclass OtherHandler {}`)).toEqual([
      expect.stringContaining('@CommandHandler( 2 times'),
    ]);
    expect(handlerRule(src('application/commands/helpers.ts'), 'export const x = 1;')).toEqual([expect.stringContaining('no @CommandHandler(')]);
    expect(handlerRule(src('application/queries/get-order.ts'), `${queryFile}\n${commandFile}`)).toEqual([expect.stringContaining('commands go in')]);
    expect(handlerRule(src('application/orders.service.ts'), commandFile)).toEqual([expect.stringContaining('outside src/application/commands/')]);
  });

  it('looks at src/ only', () => {
    expect(handlerRule('services/shop/test/unit/fake.ts', commandFile)).toEqual([]);
  });
});

describe('(b) inbound messages only through translators', () => {
  const translator = [
    '@Injectable()',
    'export class PaymentsEventsTranslator implements MessageTranslator {',
    '  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}',
    '  readonly routes = [on(paymentsEvents.PaymentProcessed, (p) => this.commands.execute(new Settle(p)))];',
    '}',
  ].join('\n');

  it('passes a translator with routes', () => {
    expect(inboundMessageRule(src('infrastructure/messaging/payments-events.translator.ts'), translator)).toEqual([]);
  });

  it('fails an EventHandler class or a raw CloudEvent handler anywhere in src/', () => {
    const handler = 'export class PaymentEvents implements OnModuleInit, p.EventHandler<X> {\n  async handle(event: CloudEvent, tx: EntityManager) {}\n}';
    expect(inboundMessageRule(src('application/payment-events.ts'), handler)).toEqual([
      expect.stringContaining('class PaymentEvents implements EventHandler'),
      expect.stringContaining('raw CloudEvent'),
    ]);
  });

  it('does not mistake IEventHandler (NestJS CQRS) for the platform EventHandler', () => {
    expect(inboundMessageRule(src('application/projections.ts'), 'class Projection implements IEventHandler<OrderPlaced> {}')).toEqual([]);
  });

  it('fails other files in infrastructure/messaging and translators without routes', () => {
    expect(inboundMessageRule(src('infrastructure/messaging/repository-binder.ts'), 'export class Binder {}')).toEqual([expect.stringContaining('.translator.ts')]);
    expect(inboundMessageRule(src('infrastructure/messaging/story-events.translator.ts'), 'export class StoryEventsTranslator {}')).toEqual([
      expect.stringContaining('no routes'),
    ]);
  });
});

describe('(c) background loops in src/infrastructure/workers/', () => {
  it('passes <noun>.worker.ts in infrastructure/workers', () => {
    expect(workerRule(src('infrastructure/workers/sender.worker.ts'))).toEqual([]);
    expect(workerRule(src('application/ports/analysis-worker.ts'))).toEqual([]);
  });

  it('fails worker/, scheduling/, scheduler/ folders, other workers/ folders and misnamed workers', () => {
    expect(workerRule(src('infrastructure/worker/analysis-worker.ts'))).toEqual([expect.stringMatching(/^folder src\/infrastructure\/worker\/:/)]);
    expect(workerRule(src('infrastructure/scheduling/renewals.ts'))).toEqual([expect.stringMatching(/^folder src\/infrastructure\/scheduling\/:/)]);
    expect(workerRule(src('scheduler/tick.ts'))).toEqual([expect.stringMatching(/^folder src\/scheduler\/:/)]);
    expect(workerRule(src('application/workers/loop.worker.ts'))).toEqual([
      expect.stringMatching(/^folder src\/application\/workers\/:/),
      expect.stringContaining('outside src/infrastructure/workers/'),
    ]);
    expect(workerRule(src('infrastructure/workers/sender.ts'))).toEqual([expect.stringContaining('<noun>.worker.ts')]);
  });
});

describe('(d) repository ports in src/domain/', () => {
  const port = 'export interface OrderRepository {\n  find(id: string): Promise<Order | undefined>;\n}';

  it('passes repository interfaces in src/domain and other interfaces elsewhere', () => {
    expect(repositoryPortRule(src('domain/repositories.ts'), port)).toEqual([]);
    expect(repositoryPortRule(src('application/ports/unit-of-work.ts'), 'export interface OrderRepositoryOptions {}')).toEqual([]);
  });

  it('fails a repository interface outside src/domain', () => {
    expect(repositoryPortRule(src('application/ports/unit-of-work.ts'), port)).toEqual([expect.stringContaining('interface OrderRepository outside src/domain/')]);
  });
});

describe('(e) one repository naming scheme', () => {
  it('passes Sql<Noun>Repository, Sql* stores and other classes', () => {
    const ok = [
      'export class SqlOrderRepository implements OrderRepository {}',
      'export class SqlTierCatalog implements TierCatalog {}',
      'export class TierCache {}',
      'export class OrderRecord extends VersionedRecord {}',
    ].join('\n');
    expect(repositoryNamingRule(src('infrastructure/persistence/sql-order.repository.ts'), ok)).toEqual([]);
  });

  it('fails TypeOrm* classes and repositories not named Sql<Noun>Repository', () => {
    const bad = [
      'export class TypeOrmOrderRepository implements OrderRepository {}',
      'export class TypeOrmAnalysisStore {}',
      'export class PgOrderRepository {}',
      'export class Orders implements OrderRepository {}',
    ].join('\n');
    expect(repositoryNamingRule(src('infrastructure/persistence/repositories.ts'), bad)).toEqual([
      expect.stringContaining('class TypeOrmOrderRepository'),
      expect.stringContaining('class TypeOrmAnalysisStore'),
      expect.stringContaining('class PgOrderRepository'),
      expect.stringContaining('class Orders implements OrderRepository'),
    ]);
  });
});

describe('(f) one name for the caller', () => {
  it('passes the platform Caller and CallerResolver', () => {
    expect(callerRule(src('interface/shop.grpc-controller.ts'), "import { CallerResolver, type Caller } from '@storytelling/platform';\nconst caller: Caller = await this.callers.requireUser(md);")).toEqual(
      [],
    );
  });

  it('fails Viewer, VerifiedCaller and a CallerResolver of its own, in any service including the gateway', () => {
    expect(callerRule(src('application/access.ts'), 'export interface Viewer { userId: string }\ntype VerifiedCaller = Viewer;')).toEqual([
      expect.stringContaining('interface Viewer'),
      expect.stringContaining('type VerifiedCaller'),
    ]);
    expect(callerRule('services/gateway/src/interface/http/caller.ts', '@Injectable()\nexport class CallerResolver {}')).toEqual([expect.stringContaining('second class CallerResolver')]);
  });
});

describe('(g) end-to-end tests in test/e2e/', () => {
  it('passes *.e2e.test.ts under test/e2e and other tests anywhere', () => {
    expect(e2eTestRule('services/shop/test/e2e/checkout.e2e.test.ts')).toEqual([]);
    expect(e2eTestRule('services/shop/test/integration/orders.test.ts')).toEqual([]);
  });

  it('fails *.e2e.test.ts elsewhere', () => {
    expect(e2eTestRule('services/shop/test/integration/checkout.e2e.test.ts')).toEqual([expect.stringContaining('outside test/e2e/')]);
  });
});

describe('(h) no hand-written CloudEvents types, topics or retired seams', () => {
  it('passes generated message types, eventType(...) and prose in comments', () => {
    const ok = [
      '// consumes identity.user.events (storytelling.identity.user.registered.v1)',
      'const topic = identityEvents.UserRegistered.topic;',
      "export const OrderPlaced = eventType('shop', 'order', 'placed');",
      "const legacy = eventType(`storytelling.shop.order.placed.v1`.split('.')[1]!, 'order', 'placed');",
      "import { x } from './events.js';",
      "const url = 'storytelling.example.com';",
    ].join('\n');
    expect(handWrittenMessagingRule(src('domain/events.ts'), ok)).toEqual([]);
  });

  it('fails type and topic literals in every quote style', () => {
    const bad = [
      "if (event.type === 'storytelling.identity.user.registered.v1') {}",
      'const topic = "payments.payment.events";',
      'const commands = `subscription.commands`;',
    ].join('\n');
    expect(handWrittenMessagingRule(src('infrastructure/acl/user-events.ts'), bad)).toEqual([
      expect.stringContaining("type 'storytelling.identity.user.registered.v1'"),
      expect.stringContaining("topic 'payments.payment.events'"),
      expect.stringContaining("topic 'subscription.commands'"),
    ]);
  });

  it('fails the retired seams', () => {
    expect(handWrittenMessagingRule(src('application/in-transaction.ts'), 'await executeIn(tx, () => binder.bind(tx));\nclass X extends RepositoryBinder {}\npaymentsStoreIn(tx);')).toEqual([
      expect.stringContaining('executeIn'),
      expect.stringContaining('RepositoryBinder'),
      expect.stringContaining('paymentsStoreIn'),
    ]);
  });

  it('reads string and template literals with escapes', () => {
    expect(stringLiterals("a('x\\'y', \"z\", `w`)").map((l) => l.value)).toEqual(["x\\'y", 'z', 'w']);
  });
});

describe('(i) the service module has at most 80 lines', () => {
  const lines = (n: number) => `${Array.from({ length: n }, (_, i) => `// ${i}`).join('\n')}\n`;

  it('passes 80 lines and ignores other modules', () => {
    expect(lineCount(lines(80))).toBe(80);
    expect(moduleSizeRule(src('shop.module.ts'), lines(80))).toEqual([]);
    expect(moduleSizeRule(src('infrastructure/other.module.ts'), lines(200))).toEqual([]);
  });

  it('fails 81 lines', () => {
    expect(moduleSizeRule(src('shop.module.ts'), lines(81))).toEqual([expect.stringContaining('81 lines')]);
  });
});

describe('serviceLayoutViolations', () => {
  it('reports a misplaced folder once, a missing module, and formats `path: (rule) ...`', () => {
    const files = [
      { path: src('infrastructure/worker/a.ts'), text: '' },
      { path: src('infrastructure/worker/b.ts'), text: '' },
    ];
    const violations = serviceLayoutViolations('shop', files);
    expect(violations).toEqual([
      { path: 'services/shop/src/infrastructure/worker/', rule: 'c', detail: expect.stringContaining('background loops') },
      { path: 'services/shop/src/shop.module.ts', rule: 'i', detail: expect.stringContaining('missing') },
    ]);
    expect(formatViolation(violations[0]!)).toMatch(/^services\/shop\/src\/infrastructure\/worker\/: \(c\) /);
  });

  it('checks the gateway for the caller rule only', () => {
    const files = [
      { path: 'services/gateway/src/interface/http/controllers/a.controller.ts', text: "const t = 'identity.user.events';" },
      { path: 'services/gateway/src/interface/http/viewer.ts', text: 'export interface Viewer {}' },
    ];
    expect(serviceLayoutViolations('gateway', files)).toEqual([{ path: 'services/gateway/src/interface/http/viewer.ts', rule: 'f', detail: expect.stringContaining('Viewer') }]);
  });

  it('passes a service laid out as docs/conventions.md says', () => {
    const files = [
      { path: src('shop.module.ts'), text: 'export class ShopModule {}\n' },
      { path: src('application/commands/place-order.ts'), text: commandFile },
      { path: src('application/queries/get-order.ts'), text: queryFile },
      { path: src('domain/repositories.ts'), text: 'export interface OrderRepository {}' },
      { path: src('infrastructure/persistence/sql-order.repository.ts'), text: 'export class SqlOrderRepository implements OrderRepository {}' },
      { path: src('infrastructure/workers/expiry.worker.ts'), text: 'export class ExpiryWorker {}' },
      { path: 'services/shop/test/e2e/checkout.e2e.test.ts', text: '' },
    ];
    expect(serviceLayoutViolations('shop', files)).toEqual([]);
  });
});
