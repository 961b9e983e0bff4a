import { VersionedRecord } from '@storytelling/platform';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Table mappings of the story schema (created by migrations/, never synchronised). Plain
 * records: the repositories translate them to and from the domain aggregates.
 */
@Entity({ name: 'stories' })
export class StoryRecord extends VersionedRecord {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 500 })
  title!: string;

  @Column({ type: 'text' })
  content!: string;

  @Column({ name: 'content_hash', type: 'char', length: 64 })
  contentHash!: string;

  @Column({ name: 'author_id', type: 'uuid' })
  authorId!: string;

  @Column({ type: 'varchar', length: 35 })
  language!: string;

  @Column({ type: 'varchar', length: 20 })
  status!: string;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;
}

@Entity({ name: 'authors' })
export class AuthorRecord extends VersionedRecord {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'display_name', type: 'varchar', length: 100 })
  displayName!: string;

  @Column({ name: 'is_active', type: 'boolean' })
  isActive!: boolean;

  @Column({ name: 'identity_version', type: 'integer' })
  identityVersion!: number;
}

@Entity({ name: 'story_followers' })
export class StoryFollowerRecord {
  @PrimaryColumn({ name: 'author_id', type: 'uuid' })
  authorId!: string;

  @PrimaryColumn({ name: 'follower_id', type: 'uuid' })
  followerId!: string;

  @Column({ name: 'followed_at', type: 'timestamptz' })
  followedAt!: Date;
}

@Entity({ name: 'story_characters' })
export class StoryCharacterRecord {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'story_id', type: 'uuid' })
  storyId!: string;

  @Column({ type: 'integer' })
  position!: number;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'text' })
  personality!: string;

  @Column({ type: 'varchar', length: 50 })
  role!: string;

  @Column({ type: 'jsonb' })
  traits!: string[];

  @Column({ name: 'image_url', type: 'text', nullable: true })
  imageUrl!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

@Entity({ name: 'story_emotions' })
export class StoryEmotionRecord {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'story_id', type: 'uuid' })
  storyId!: string;

  @Column({ type: 'integer' })
  position!: number;

  @Column({ type: 'varchar', length: 100 })
  emotion!: string;

  @Column({ type: 'integer' })
  intensity!: number;

  @Column({ type: 'text' })
  context!: string;

  @Column({ type: 'text' })
  quote!: string;

  @Column({ name: 'segment_index', type: 'integer' })
  segmentIndex!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

@Entity({ name: 'story_analyses' })
export class StoryAnalysisRecord {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'story_id', type: 'uuid' })
  storyId!: string;

  @Column({ name: 'analysis_type', type: 'varchar', length: 20 })
  analysisType!: string;

  @Column({ name: 'analysis_data', type: 'jsonb' })
  analysisData!: Record<string, unknown>;

  @Column({ name: 'content_hash', type: 'char', length: 64 })
  contentHash!: string;

  @Column({ type: 'varchar', length: 100 })
  analyser!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

@Entity({ name: 'analysis_jobs' })
export class AnalysisJobRecord {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'story_id', type: 'uuid' })
  storyId!: string;

  @Column({ name: 'content_hash', type: 'char', length: 64 })
  contentHash!: string;

  @Column({ name: 'previous_status', type: 'varchar', length: 20 })
  previousStatus!: string;

  @Column({ type: 'varchar', length: 20 })
  status!: string;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ name: 'run_after', type: 'timestamptz' })
  runAfter!: Date;

  @Column({ name: 'lease_owner', type: 'varchar', length: 200, nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;

  @Column({ name: 'last_error_code', type: 'varchar', length: 100, nullable: true })
  lastErrorCode!: string | null;

  @Column({ name: 'last_error_message', type: 'text', nullable: true })
  lastErrorMessage!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}

export const STORY_ENTITIES = [
  StoryRecord,
  AuthorRecord,
  StoryFollowerRecord,
  StoryCharacterRecord,
  StoryEmotionRecord,
  StoryAnalysisRecord,
  AnalysisJobRecord,
];
