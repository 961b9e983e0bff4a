import { type BeforeApplicationShutdown, type DynamicModule, Inject, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { HealthCoreModule, ReadinessRegistry, VerifiedTokenCache, createGrpcHealthProbe } from '@storytelling/platform';
import { IDENTITY_PORT, type IdentityPort } from './application/identity.port.js';
import { STORY_PORT, type StoryPort } from './application/story.port.js';
import { NOTIFICATION_PORT, type NotificationPort } from './application/notification.port.js';
import { PAYMENTS_PORT, type PaymentsPort } from './application/payments.port.js';
import { SUBSCRIPTION_PORT, type SubscriptionPort } from './application/subscription.port.js';
import type { GatewayConfig } from './config/gateway-config.js';
import type { AuthenticatedUser } from './infrastructure/auth/authenticated-user.js';
import { JwksKeyStore } from './infrastructure/auth/jwks-key-store.js';
import { JwtStrategy } from './infrastructure/auth/jwt.strategy.js';
import { createIdentityClient } from './infrastructure/identity/grpc-client.js';
import { GrpcIdentityAdapter } from './infrastructure/identity/grpc-identity.adapter.js';
import { createStoryClient } from './infrastructure/story/grpc-client.js';
import { GrpcStoryAdapter } from './infrastructure/story/grpc-story.adapter.js';
import { createNotificationClient } from './infrastructure/notification/grpc-client.js';
import { GrpcNotificationAdapter } from './infrastructure/notification/grpc-notification.adapter.js';
import { createPaymentsClient } from './infrastructure/payments/grpc-client.js';
import { GrpcPaymentsAdapter } from './infrastructure/payments/grpc-payments.adapter.js';
import { createSubscriptionClient } from './infrastructure/subscription/grpc-client.js';
import { GrpcSubscriptionAdapter } from './infrastructure/subscription/grpc-subscription.adapter.js';
import { SubscriptionController } from './interface/http/controllers/subscription.controller.js';
import { PaymentsController } from './interface/http/controllers/payments.controller.js';
import { NotificationPreferencesController, NotificationsController } from './interface/http/controllers/notifications.controller.js';
import { AuthorsController } from './interface/http/controllers/authors.controller.js';
import { StoriesController } from './interface/http/controllers/stories.controller.js';
import { AdminController } from './interface/http/controllers/admin.controller.js';
import { AuthController } from './interface/http/controllers/auth.controller.js';
import { JwksController } from './interface/http/controllers/jwks.controller.js';
import { GatewayHealthController, GatewayMetricsController } from './interface/http/controllers/ops.controller.js';
import { UsersController } from './interface/http/controllers/users.controller.js';
import { AuthenticationGuard, RequireAuthenticationGuard } from './interface/http/guards/authentication.guard.js';
import { RolesGuard } from './interface/http/guards/roles.guard.js';
import { RATE_LIMITS, RateLimitGuard } from './interface/http/guards/rate-limit.guard.js';
import { FixedWindowRateLimitStore } from './infrastructure/rate-limit/fixed-window-store.js';
import { GatewayValidationPipe } from './interface/http/pipes/validation.pipe.js';
import { ProblemFilter } from './interface/http/problem/problem.filter.js';

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

export interface GatewayModuleOptions {
  /** Replaces the gRPC adapter (unit tests of the HTTP layer). */
  identity?: IdentityPort;
  /** Replaces the story gRPC adapter (unit tests of the HTTP layer). */
  story?: StoryPort;
  /** Replaces the notification gRPC adapter (unit tests of the HTTP layer). */
  notification?: NotificationPort;
  /** Replaces the payments gRPC adapter (unit tests of the HTTP layer). */
  payments?: PaymentsPort;
  /** Replaces the subscription gRPC adapter (unit tests of the HTTP layer). */
  subscription?: SubscriptionPort;
}

@Module({})
export class GatewayModule implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(IDENTITY_PORT) private readonly identity: IdentityPort,
    @Inject(STORY_PORT) private readonly story: StoryPort,
    @Inject(NOTIFICATION_PORT) private readonly notification: NotificationPort,
    @Inject(PAYMENTS_PORT) private readonly payments: PaymentsPort,
    @Inject(SUBSCRIPTION_PORT) private readonly subscription: SubscriptionPort,
    private readonly readiness: ReadinessRegistry,
  ) {}

  static forRoot(config: GatewayConfig, options: GatewayModuleOptions = {}): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        HealthCoreModule,
      ],
      controllers: [
        AuthController,
        UsersController,
        AdminController,
        StoriesController,
        AuthorsController,
        NotificationsController,
        NotificationPreferencesController,
        PaymentsController,
        SubscriptionController,
        JwksController,
        GatewayHealthController,
        GatewayMetricsController,
      ],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: RATE_LIMITS, useValue: { authPerMinute: config.rateLimitAuthPerMinute, perMinute: config.rateLimitPerMinute } },
        { provide: FixedWindowRateLimitStore, useFactory: () => new FixedWindowRateLimitStore() },
        {
          provide: IDENTITY_PORT,
          useFactory: (): IdentityPort =>
            options.identity ??
            new GrpcIdentityAdapter(
              createIdentityClient(config.identityGrpcUrl, config.grpcDeadlineMs),
              createGrpcHealthProbe(config.identityGrpcUrl, Math.min(config.grpcDeadlineMs, 2000)),
            ),
        },
        {
          provide: STORY_PORT,
          useFactory: (): StoryPort =>
            options.story ??
            new GrpcStoryAdapter(
              createStoryClient(config.storyGrpcUrl, config.grpcDeadlineMs),
              createGrpcHealthProbe(config.storyGrpcUrl, Math.min(config.grpcDeadlineMs, 2000)),
            ),
        },
        {
          provide: NOTIFICATION_PORT,
          useFactory: (): NotificationPort =>
            options.notification ??
            new GrpcNotificationAdapter(
              createNotificationClient(config.notificationGrpcUrl, config.grpcDeadlineMs),
              createGrpcHealthProbe(config.notificationGrpcUrl, Math.min(config.grpcDeadlineMs, 2000)),
            ),
        },
        {
          provide: PAYMENTS_PORT,
          useFactory: (): PaymentsPort =>
            options.payments ??
            new GrpcPaymentsAdapter(
              createPaymentsClient(config.paymentsGrpcUrl, config.grpcDeadlineMs),
              createGrpcHealthProbe(config.paymentsGrpcUrl, Math.min(config.grpcDeadlineMs, 2000)),
            ),
        },
        {
          provide: SUBSCRIPTION_PORT,
          useFactory: (): SubscriptionPort =>
            options.subscription ??
            new GrpcSubscriptionAdapter(
              createSubscriptionClient(config.subscriptionGrpcUrl, config.grpcDeadlineMs),
              createGrpcHealthProbe(config.subscriptionGrpcUrl, Math.min(config.grpcDeadlineMs, 2000)),
            ),
        },
        {
          provide: JwksKeyStore,
          useFactory: (identity: IdentityPort) =>
            new JwksKeyStore(() => identity.getJwks(), {
              cacheTtlMs: config.jwksCacheTtlMs,
              minRefetchIntervalMs: config.jwksMinRefetchIntervalMs,
            }),
          inject: [IDENTITY_PORT],
        },
        {
          provide: JwtStrategy,
          useFactory: (keys: JwksKeyStore) => new JwtStrategy(keys, { issuer: config.jwtIssuer, audience: config.jwtAudience }),
          inject: [JwksKeyStore],
        },
        {
          provide: VerifiedTokenCache,
          useFactory: () => new VerifiedTokenCache<AuthenticatedUser>({ ttlMs: config.verifiedTokenCacheTtlMs, maxEntries: config.verifiedTokenCacheSize }),
        },
        // Global guards run in this order: who is calling → rate limit → must be signed in → role.
        { provide: APP_GUARD, useClass: AuthenticationGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useClass: RequireAuthenticationGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
        { provide: APP_PIPE, useClass: GatewayValidationPipe },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }

  onModuleInit(): void {
    // identity is needed by every authenticated route (JWKS); the other peers only by their own
    // routes, which answer 503 while their service is down, so they are reported, not required.
    this.readiness.register({ name: 'identity', check: () => this.identity.checkHealth() });
    this.readiness.register({ name: 'story', check: () => this.story.checkHealth(), required: false });
    this.readiness.register({ name: 'notification', check: () => this.notification.checkHealth(), required: false });
    this.readiness.register({ name: 'payments', check: () => this.payments.checkHealth(), required: false });
    this.readiness.register({ name: 'subscription', check: () => this.subscription.checkHealth(), required: false });
  }

  /** Not ready from the first moment of shutdown, so load balancers stop sending traffic. */
  beforeApplicationShutdown(): void {
    this.readiness.markShuttingDown();
  }

  /** After the HTTP server has closed (in-flight requests answered): close the gRPC channels. */
  onApplicationShutdown(): void {
    this.identity.close();
    this.story.close();
    this.notification.close();
    this.payments.close();
    this.subscription.close();
  }
}
