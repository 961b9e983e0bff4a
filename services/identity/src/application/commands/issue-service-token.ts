import { UnauthenticatedError } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { IssuedServiceToken, ServiceCredentials, ServiceTokenIssuer } from '../ports/index.js';
import { SERVICE_CREDENTIALS, SERVICE_TOKEN_ISSUER } from '../ports/index.js';

/** Fleet service names (fleet.json): lowercase, digits, dashes. */
const SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

export class IssueServiceTokenCommand extends Command<IssuedServiceToken> {
  constructor(
    readonly service: unknown,
    readonly secret: unknown,
    readonly audience: unknown,
  ) {
    super();
  }
}

/** Client credentials → a short-lived service token. Every refusal looks the same (no hint which part was wrong). */
@CommandHandler(IssueServiceTokenCommand)
export class IssueServiceTokenHandler implements ICommandHandler<IssueServiceTokenCommand> {
  constructor(
    @Inject(SERVICE_CREDENTIALS) private readonly credentials: ServiceCredentials,
    @Inject(SERVICE_TOKEN_ISSUER) private readonly issuer: ServiceTokenIssuer,
  ) {}

  async execute(command: IssueServiceTokenCommand): Promise<IssuedServiceToken> {
    const { service, secret, audience } = command;
    const valid =
      typeof service === 'string' &&
      SERVICE_NAME.test(service) &&
      typeof audience === 'string' &&
      SERVICE_NAME.test(audience) &&
      typeof secret === 'string' &&
      this.credentials.verify(service, secret);
    if (!valid) throw new UnauthenticatedError('INVALID_SERVICE_CREDENTIALS', 'service credentials are not valid');
    return this.issuer.issueServiceToken(service, audience);
  }
}
