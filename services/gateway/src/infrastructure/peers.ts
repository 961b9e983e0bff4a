import type { FactoryProvider } from '@nestjs/common';
import { PROTO_SERVICES } from '@storytelling/contracts';
import { IDENTITY_PORT, type IdentityPort } from '../application/identity.port.js';
import { NARRATION_PORT, type NarrationPort } from '../application/narration.port.js';
import { NOTIFICATION_PORT, type NotificationPort } from '../application/notification.port.js';
import { PAYMENTS_PORT, type PaymentsPort } from '../application/payments.port.js';
import { STORY_PORT, type StoryPort } from '../application/story.port.js';
import { SUBSCRIPTION_PORT, type SubscriptionPort } from '../application/subscription.port.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import { connectPeer, type Peer, type PeerPort } from './grpc-peer.js';
import { GrpcIdentityAdapter, type IdentityGrpcClient } from './identity/grpc-identity.adapter.js';
import { GrpcNarrationAdapter, type NarrationGrpcClient } from './narration/grpc-narration.adapter.js';
import { GrpcNotificationAdapter, type NotificationGrpcClient } from './notification/grpc-notification.adapter.js';
import { GrpcPaymentsAdapter, type PaymentsGrpcClient } from './payments/grpc-payments.adapter.js';
import { GrpcStoryAdapter, type StoryGrpcClient } from './story/grpc-story.adapter.js';
import { GrpcSubscriptionAdapter, type SubscriptionGrpcClient } from './subscription/grpc-subscription.adapter.js';

/**
 * The services the gateway calls over gRPC, one row each. Providers, the test-double options,
 * readiness and channel closing all follow from this table: adding a peer (narration,
 * collaboration, video…) is one row here plus its adapter.
 *
 * identity is needed by every authenticated route (JWKS), so /ready requires it; the other peers
 * only by their own routes, which answer 503 while their service is down: reported, not required.
 */
export const PEERS = [
  { name: 'identity', port: IDENTITY_PORT, url: (c) => c.identityGrpcUrl, proto: PROTO_SERVICES.identity, required: true,
    adapter: (client: IdentityGrpcClient, health): IdentityPort => new GrpcIdentityAdapter(client, health) },
  { name: 'story', port: STORY_PORT, url: (c) => c.storyGrpcUrl, proto: PROTO_SERVICES.story, required: false,
    adapter: (client: StoryGrpcClient, health): StoryPort => new GrpcStoryAdapter(client, health) },
  { name: 'notification', port: NOTIFICATION_PORT, url: (c) => c.notificationGrpcUrl, proto: PROTO_SERVICES.notification, required: false,
    adapter: (client: NotificationGrpcClient, health): NotificationPort => new GrpcNotificationAdapter(client, health) },
  { name: 'payments', port: PAYMENTS_PORT, url: (c) => c.paymentsGrpcUrl, proto: PROTO_SERVICES.payments, required: false,
    adapter: (client: PaymentsGrpcClient, health): PaymentsPort => new GrpcPaymentsAdapter(client, health) },
  { name: 'subscription', port: SUBSCRIPTION_PORT, url: (c) => c.subscriptionGrpcUrl, proto: PROTO_SERVICES.subscription, required: false,
    adapter: (client: SubscriptionGrpcClient, health): SubscriptionPort => new GrpcSubscriptionAdapter(client, health) },
  { name: 'narration', port: NARRATION_PORT, url: (c) => c.narrationGrpcUrl, proto: PROTO_SERVICES.narration, required: false,
    adapter: (client: NarrationGrpcClient, health, c): NarrationPort => new GrpcNarrationAdapter(client, health, { addSampleDeadlineMs: c.addSampleDeadlineMs }) },
] as const satisfies readonly Peer[];

type PeerRow = (typeof PEERS)[number];
export type PeerName = PeerRow['name'];

/** Test doubles by peer name (unit tests of the HTTP layer): each replaces that peer's gRPC adapter. */
export type PeerDoubles = { [Row in PeerRow as Row['name']]?: ReturnType<Row['adapter']> };

/** One provider a peer: its test double when one is passed, otherwise its gRPC adapter. */
export function peerProviders(config: GatewayConfig, doubles: PeerDoubles): FactoryProvider<PeerPort>[] {
  return PEERS.map((peer: Peer<PeerName>) => ({
    provide: peer.port,
    useFactory: (): PeerPort => doubles[peer.name] ?? connectPeer(peer, config),
  }));
}
