import type { Provider, Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import type { GatewayConfig } from '../../config/gateway-config.js';
import { FixedWindowRateLimitStore } from '../../infrastructure/rate-limit/fixed-window-store.js';
import { AdminController } from './controllers/admin.controller.js';
import { AuthController } from './controllers/auth.controller.js';
import { AuthorsController } from './controllers/authors.controller.js';
import { FilesController } from './controllers/files.controller.js';
import { JwksController } from './controllers/jwks.controller.js';
import { NarrationsController } from './controllers/narrations.controller.js';
import { NotificationPreferencesController, NotificationsController } from './controllers/notifications.controller.js';
import { GatewayHealthController, GatewayMetricsController } from './controllers/ops.controller.js';
import { PaymentsController } from './controllers/payments.controller.js';
import { StoriesController } from './controllers/stories.controller.js';
import { SubscriptionController } from './controllers/subscription.controller.js';
import { UsersController } from './controllers/users.controller.js';
import { ExportController } from './controllers/export.controller.js';
import { VoicesController } from './controllers/voices.controller.js';
import { AuthenticationGuard, RequireAuthenticationGuard } from './guards/authentication.guard.js';
import { DeferredProblemGuard } from './guards/deferred-problem.guard.js';
import { RATE_LIMITS, RateLimitGuard } from './guards/rate-limit.guard.js';
import { RolesGuard } from './guards/roles.guard.js';
import { GatewayValidationPipe } from './pipes/validation.pipe.js';
import { ProblemFilter } from './problem/problem.filter.js';
import { SAMPLE_UPLOAD_OPTIONS } from './uploads/sample-upload.js';

/** Every controller the gateway serves. */
export const HTTP_CONTROLLERS: Type[] = [
  AuthController,
  UsersController,
  ExportController,
  AdminController,
  StoriesController,
  AuthorsController,
  NotificationsController,
  NotificationPreferencesController,
  PaymentsController,
  SubscriptionController,
  VoicesController,
  NarrationsController,
  FilesController,
  JwksController,
  GatewayHealthController,
  GatewayMetricsController,
];

/** What every request passes through: rate limits, the global guards, validation and the problem filter. */
export function httpEdgeProviders(config: GatewayConfig): Provider[] {
  return [
    { provide: RATE_LIMITS, useValue: { authPerMinute: config.rateLimitAuthPerMinute, perMinute: config.rateLimitPerMinute } },
    { provide: FixedWindowRateLimitStore, useFactory: () => new FixedWindowRateLimitStore() },
    { provide: SAMPLE_UPLOAD_OPTIONS, useValue: { limitBytes: config.sampleUploadLimitBytes } },
    // Global guards run in this order: who is calling → rate limit → must be signed in → role →
    // what the body parser / Idempotency-Key check found before routing (401 before 400).
    { provide: APP_GUARD, useClass: AuthenticationGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useClass: RequireAuthenticationGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
    { provide: APP_GUARD, useClass: DeferredProblemGuard },
    { provide: APP_PIPE, useClass: GatewayValidationPipe },
    { provide: APP_FILTER, useClass: ProblemFilter },
  ];
}
