import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { getLogger } from '@storytelling/platform';
import { BootstrapSuperAdminCommand } from '../../application/index.js';

export const SUPER_ADMIN_SEED = Symbol('identity.SuperAdminSeed');

export interface SuperAdminSeed {
  email: string;
  password: string;
}

/**
 * On every start: makes sure the configured first super-admin exists (SUPERADMIN_EMAIL +
 * SUPERADMIN_PASSWORD). Idempotent, and safe with several replicas starting at once. A failure
 * stops the start: an operator who configured a super-admin wants to know it isn't there.
 */
@Injectable()
export class SuperAdminBootstrapper implements OnApplicationBootstrap {
  private readonly log = getLogger('super-admin');

  constructor(
    @Inject(SUPER_ADMIN_SEED) private readonly seed: SuperAdminSeed | null,
    @Inject(CommandBus) private readonly commands: CommandBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.seed) return;
    const result = await this.commands.execute(new BootstrapSuperAdminCommand(this.seed.email, this.seed.password));
    if (result.created) this.log.info({ userId: result.userId }, 'first super-admin created');
    else if (result.role !== 'super-admin') {
      this.log.warn({ userId: result.userId, role: result.role }, 'SUPERADMIN_EMAIL belongs to an account that is not a super-admin; left unchanged');
    } else this.log.debug({ userId: result.userId }, 'super-admin already present');
  }
}
