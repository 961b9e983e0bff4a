import { PROTO_SERVICES } from '@storytelling/contracts';
import { bootstrapService, createServiceTokenSource, getLogger, noServiceToken, type Closeable, type ServiceHandle, type ServiceTokenSource } from '@storytelling/platform';
import type { EmailSender, FollowerDirectory, SmsSender } from './application/index.js';
import { loadNotificationConfig, type NotificationConfig } from './config.js';
import { FileEmailSender, SmtpEmailSender } from './infrastructure/channels/email.js';
import { metered } from './infrastructure/channels/metered.js';
import { FileSmsSender, TwilioSmsSender } from './infrastructure/channels/sms.js';
import { GrpcFollowerDirectory } from './infrastructure/story/grpc-follower-directory.js';
import { HandlebarsTemplateRenderer } from './infrastructure/templates/handlebars-renderer.js';
import { NotificationModule, type NotificationModuleOptions } from './notification.module.js';

export interface CreateNotificationAppOptions extends Partial<Pick<NotificationModuleOptions, 'migrateOnStart' | 'relay' | 'sender' | 'clock' | 'consumerRetry'>> {
  /** Replace the adapters the configuration selects (tests). */
  email?: EmailSender;
  sms?: SmsSender;
  followers?: FollowerDirectory;
  /** Tokens for calls to story (ListFollowers); default: identity-issued from SERVICE_TOKEN_SECRET. */
  serviceTokens?: ServiceTokenSource;
  shutdownHooks?: boolean;
}

/** The email adapter the configuration selects: SMTP when SMTP_URL is set, else the .eml file sink. */
export function emailSenderFor(config: NotificationConfig): EmailSender {
  return config.SMTP_URL ? new SmtpEmailSender(config.SMTP_URL, config.MAIL_FROM) : new FileEmailSender(config.MAIL_DIR, config.MAIL_FROM);
}

/** The SMS adapter: Twilio's Messages API, or JSON files under SMS_DIR. */
export function smsSenderFor(config: NotificationConfig): SmsSender {
  if (config.SMS_PROVIDER === 'twilio') {
    return new TwilioSmsSender({ baseUrl: config.TWILIO_BASE_URL, accountSid: config.TWILIO_ACCOUNT_SID!, authToken: config.TWILIO_AUTH_TOKEN!, from: config.TWILIO_FROM! });
  }
  return new FileSmsSender(config.SMS_DIR);
}

/** story's ListFollowers, called with identity-issued service tokens (closed with the app). */
function followerDirectoryFor(config: NotificationConfig, serviceTokens: ServiceTokenSource | undefined, clients: Closeable[]): FollowerDirectory {
  let tokens = serviceTokens;
  if (!tokens && config.SERVICE_TOKEN_SECRET) {
    const source = createServiceTokenSource({ identityUrl: config.IDENTITY_GRPC_URL, service: 'notification', secret: config.SERVICE_TOKEN_SECRET, deadlineMs: config.GRPC_DEADLINE_MS });
    clients.push(source);
    tokens = source;
  }
  if (!tokens) getLogger('main').warn('no SERVICE_TOKEN_SECRET: story will refuse ListFollowers, StoryPublished fan-out fails (and dead-letters)');
  const directory = new GrpcFollowerDirectory(config.STORY_GRPC_URL, tokens ?? noServiceToken, config.GRPC_DEADLINE_MS);
  clients.push(directory);
  return directory;
}

/**
 * Boots notification: HTTP (/health, /ready, /metrics), gRPC (NotificationService + health), the
 * translators of identity/story/payments/subscription/narration events, the outbox relay and the
 * sender loop.
 */
export async function createNotificationApp(env: NodeJS.ProcessEnv = process.env, options: CreateNotificationAppOptions = {}): Promise<ServiceHandle> {
  const config = loadNotificationConfig(env);
  const { shutdownHooks, email, sms, followers, serviceTokens, ...moduleOptions } = options;
  const clients: Closeable[] = [];
  const emailSender = email ?? emailSenderFor(config);
  if (!email && emailSender instanceof SmtpEmailSender) clients.push(emailSender);
  try {
    return await bootstrapService({
      name: 'notification',
      module: NotificationModule.forRoot(config, {
        ...moduleOptions,
        email: metered('email', emailSender),
        sms: metered('sms', sms ?? smsSenderFor(config)),
        templates: new HandlebarsTemplateRenderer(config.PUBLIC_WEB_URL),
        followers: followers ?? followerDirectoryFor(config, serviceTokens, clients),
        clients,
      }),
      config,
      grpc: { packages: PROTO_SERVICES.notification.package, protoFiles: [PROTO_SERVICES.notification.file] },
      ...(shutdownHooks === undefined ? {} : { shutdownHooks }),
    });
  } catch (err) {
    // A started app closes them on shutdown; an app that never came up must not leave channels open.
    await Promise.allSettled(clients.map(async (client) => client.close()));
    throw err;
  }
}
