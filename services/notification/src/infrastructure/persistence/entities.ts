import { VersionedRecord } from '@storytelling/platform';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Channel, DeliveryStatus, NotificationType, Preferences, TemplateData } from '../../domain/index.js';

/**
 * Table mappings of the notification schema (created by migrations/, never synchronised). Plain
 * records: the repositories translate them to and from the application's types.
 */

/** ACL copy of identity's user plus their preferences; `version` counts local changes. */
@Entity({ name: 'recipients' })
export class RecipientRecord extends VersionedRecord {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 320, nullable: true })
  email!: string | null;

  @Column({ name: 'display_name', type: 'varchar', length: 100, nullable: true })
  displayName!: string | null;

  @Column({ type: 'varchar', length: 35 })
  language!: string;

  @Column({ type: 'boolean' })
  active!: boolean;

  @Column({ name: 'identity_version', type: 'integer' })
  identityVersion!: number;

  @Column({ type: 'jsonb' })
  preferences!: Preferences;
}

/** One per (source event, recipient); `version` numbers its NotificationSent/Failed events. */
@Entity({ name: 'notifications' })
export class NotificationRecord extends VersionedRecord {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'recipient_id', type: 'uuid' })
  recipientId!: string;

  @Column({ type: 'varchar', length: 40 })
  type!: NotificationType;

  @Column({ name: 'source_event_id', type: 'uuid' })
  sourceEventId!: string;

  @Column({ type: 'jsonb' })
  data!: TemplateData;

  @Column({ name: 'in_app', type: 'boolean' })
  inApp!: boolean;

  @Column({ type: 'text', nullable: true })
  title!: string | null;

  @Column({ type: 'text', nullable: true })
  body!: string | null;

  @Column({ type: 'text', nullable: true })
  link!: string | null;

  @Column({ name: 'read_at', type: 'timestamptz', nullable: true })
  readAt!: Date | null;
}

/** One per (source event, recipient, channel): the delivery log and the sender's work queue. */
@Entity({ name: 'deliveries' })
export class DeliveryRecord {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'notification_id', type: 'uuid' })
  notificationId!: string;

  @Column({ name: 'recipient_id', type: 'uuid' })
  recipientId!: string;

  @Column({ type: 'varchar', length: 40 })
  type!: NotificationType;

  @Column({ type: 'varchar', length: 10 })
  channel!: Channel;

  @Column({ name: 'source_event_id', type: 'uuid' })
  sourceEventId!: string;

  @Column({ type: 'varchar', length: 10 })
  status!: DeliveryStatus;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'provider_message_id', type: 'text', nullable: true })
  providerMessageId!: string | null;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

export const NOTIFICATION_ENTITIES = [RecipientRecord, NotificationRecord, DeliveryRecord];
