import type { Clock } from '@storytelling/kernel';
import { CLOCK } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OidcProviderNotFoundError } from '../../domain/index.js';
import type { OidcLoginAttempts, OidcProviderRegistry, RefreshTokenSecrets } from '../ports/index.js';
import { OIDC_ATTEMPT_TTL_SECONDS, OIDC_LOGIN_ATTEMPTS, OIDC_PROVIDERS, REFRESH_TOKEN_SECRETS } from '../ports/index.js';

export class StartOidcLoginCommand extends Command<{ authorizationUrl: string }> {
  constructor(readonly provider: string) {
    super();
  }
}

/**
 * Creates the attempt: state, nonce and PKCE verifier are 256 random bits each (the same
 * generator as refresh tokens); the state is stored only as its hash, the others stay here.
 */
@CommandHandler(StartOidcLoginCommand)
export class StartOidcLoginHandler implements ICommandHandler<StartOidcLoginCommand> {
  constructor(
    @Inject(OIDC_PROVIDERS) private readonly providers: OidcProviderRegistry,
    @Inject(OIDC_LOGIN_ATTEMPTS) private readonly attempts: OidcLoginAttempts,
    @Inject(REFRESH_TOKEN_SECRETS) private readonly secrets: RefreshTokenSecrets,
    @Inject(OIDC_ATTEMPT_TTL_SECONDS) private readonly ttlSeconds: number,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: StartOidcLoginCommand): Promise<{ authorizationUrl: string }> {
    const provider = this.providers.get(command.provider);
    if (!provider) throw new OidcProviderNotFoundError(command.provider);
    const state = this.secrets.generate();
    const nonce = this.secrets.generate().token;
    const codeVerifier = this.secrets.generate().token;
    // The URL first: an unreachable provider (503) leaves no attempt behind.
    const authorizationUrl = await provider.authorizationUrl({ state: state.token, nonce, codeVerifier });
    const now = this.clock.now();
    await this.attempts.save(
      state.hash,
      { provider: provider.name, nonce, codeVerifier, redirectUri: provider.redirectUri, expiresAt: new Date(now.getTime() + this.ttlSeconds * 1000) },
      now,
    );
    return { authorizationUrl };
  }
}
