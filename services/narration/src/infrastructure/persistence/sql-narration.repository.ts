import { VersionConflictError, type Clock, type Keyset } from '@storytelling/kernel';
import { returnedRows, type EventStore } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import {
  NARRATION_AGGREGATE_TYPE,
  Narration,
  isConversationStyle,
  isEmotion,
  isNarratorProfile,
  type NarrationRepository,
  type NarrationState,
  type NarrationStatus,
  type Segment,
} from '../../domain/index.js';

interface NarrationRow {
  id: string;
  story_id: string | null;
  owner_id: string | null;
  voice_id: string | null;
  character_voices: Record<string, string>;
  narrator_profile: string;
  conversation_style: string;
  status: NarrationStatus;
  audio_object_key: string | null;
  audio_duration_seconds: number | null;
  audio_revision: number;
  failure_reason: string | null;
  saga_id: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

interface SegmentRow {
  narration_id: string;
  segment_index: number;
  text: string;
  emotion: string;
  voice_id: string;
  character_id: string | null;
  revision: number;
  audio_object_key: string | null;
  duration_seconds: number | null;
}

const COLUMNS = `id, story_id, owner_id, voice_id, character_voices, narrator_profile, conversation_style, status, audio_object_key,
  audio_duration_seconds, audio_revision, failure_reason, saga_id, version, created_at, updated_at`;

/** '' (a tombstone's unknown story, owner or voice) is stored as NULL. */
const orNull = (value: string): string | null => (value === '' ? null : value);

/**
 * Narrations over parameterised SQL: the row, its segments (written only where they changed) and
 * its events in the caller's transaction. Writers lock the row first (`find(id, { lock: true })`);
 * the version guard catches any writer that did not.
 */
export class SqlNarrationRepository implements NarrationRepository {
  constructor(
    private readonly em: EntityManager,
    private readonly events: EventStore,
    private readonly clock: Clock,
  ) {}

  async find(id: string, options: { lock?: boolean } = {}): Promise<Narration | undefined> {
    const rows: NarrationRow[] = await this.em.query(`SELECT ${COLUMNS} FROM narrations WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`, [id]);
    if (!rows[0]) return undefined;
    const [narration] = await this.withSegments(rows);
    return narration;
  }

  async add(narration: Narration): Promise<void> {
    const s = narration.state;
    await this.em.query(
      `INSERT INTO narrations (${COLUMNS}) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [
        s.id,
        orNull(s.storyId),
        orNull(s.ownerId),
        orNull(s.voiceId),
        JSON.stringify(s.characterVoices),
        s.narratorProfile,
        s.conversationStyle,
        s.status,
        s.audio?.objectKey ?? null,
        s.audio?.durationSeconds ?? null,
        s.audioRevision,
        s.failureReason,
        s.sagaId,
        narration.version,
        s.createdAt,
        s.updatedAt,
      ],
    );
    await this.writeSegments(s.id, s.segments);
    await this.events.append(this.em, narration, NARRATION_AGGREGATE_TYPE);
  }

  async save(narration: Narration): Promise<void> {
    const s = narration.state;
    const result: unknown = await this.em.query(
      `UPDATE narrations SET voice_id = $3, status = $4, audio_object_key = $5, audio_duration_seconds = $6, audio_revision = $7,
              failure_reason = $8, saga_id = $9, version = $10, updated_at = $11
        WHERE id = $1 AND version = $2 RETURNING id`,
      [s.id, narration.loadedVersion, orNull(s.voiceId), s.status, s.audio?.objectKey ?? null, s.audio?.durationSeconds ?? null, s.audioRevision, s.failureReason, s.sagaId, narration.version, s.updatedAt],
    );
    if (returnedRows(result).length !== 1) throw new VersionConflictError(s.id, narration.loadedVersion);
    await this.writeSegments(s.id, s.segments);
    await this.events.append(this.em, narration, NARRATION_AGGREGATE_TYPE);
  }

  async streamVersion(id: string): Promise<number> {
    const rows: Array<{ version: number | null }> = await this.em.query(`SELECT max(version) AS version FROM domain_events WHERE aggregate_id = $1`, [id]);
    return rows[0]?.version ?? 0;
  }

  async listByOwner(ownerId: string): Promise<Narration[]> {
    const rows: NarrationRow[] = await this.em.query(`SELECT ${COLUMNS} FROM narrations WHERE owner_id = $1 ORDER BY created_at, id`, [ownerId]);
    return this.withSegments(rows);
  }

  async pageByOwner(ownerId: string, limit: number, after?: Keyset): Promise<Narration[]> {
    const params: unknown[] = [ownerId, limit];
    let keyset = '';
    if (after) {
      params.push(after.at, after.id);
      keyset = ` AND (created_at, id) < ($3::timestamptz, $4::uuid)`;
    }
    // narrations_owner_idx (owner_id, created_at, id), read backwards.
    const rows: NarrationRow[] = await this.em.query(
      `SELECT ${COLUMNS} FROM narrations WHERE owner_id = $1 AND status <> 'discarded'${keyset} ORDER BY created_at DESC, id DESC LIMIT $2`,
      params,
    );
    return this.withSegments(rows);
  }

  async deleteByOwner(ownerId: string): Promise<number> {
    const result: unknown = await this.em.query(`DELETE FROM narrations WHERE owner_id = $1 RETURNING id`, [ownerId]);
    return returnedRows(result).length;
  }

  /** Upserts the segments that changed and drops those past the end (a discarded narration has none). */
  private async writeSegments(narrationId: string, segments: readonly Segment[]): Promise<void> {
    await this.em.query(`DELETE FROM narration_segments WHERE narration_id = $1 AND segment_index >= $2`, [narrationId, segments.length]);
    if (segments.length === 0) return;
    await this.em.query(
      `INSERT INTO narration_segments (narration_id, segment_index, text, emotion, voice_id, character_id, revision, audio_object_key, duration_seconds)
       SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::int[], $8::text[], $9::float8[])
       ON CONFLICT (narration_id, segment_index) DO UPDATE
          SET text = excluded.text, emotion = excluded.emotion, voice_id = excluded.voice_id, character_id = excluded.character_id,
              revision = excluded.revision, audio_object_key = excluded.audio_object_key, duration_seconds = excluded.duration_seconds
        WHERE (narration_segments.text, narration_segments.emotion, narration_segments.voice_id, narration_segments.character_id,
               narration_segments.revision, narration_segments.audio_object_key, narration_segments.duration_seconds)
              IS DISTINCT FROM (excluded.text, excluded.emotion, excluded.voice_id, excluded.character_id,
               excluded.revision, excluded.audio_object_key, excluded.duration_seconds)`,
      [
        narrationId,
        segments.map((g) => g.index),
        segments.map((g) => g.text),
        segments.map((g) => g.emotion),
        segments.map((g) => g.voiceId),
        segments.map((g) => g.characterId),
        segments.map((g) => g.revision),
        segments.map((g) => g.audio?.objectKey ?? null),
        segments.map((g) => g.audio?.durationSeconds ?? null),
      ],
    );
  }

  private async withSegments(rows: readonly NarrationRow[]): Promise<Narration[]> {
    if (rows.length === 0) return [];
    const segmentRows: SegmentRow[] = await this.em.query(
      `SELECT narration_id, segment_index, text, emotion, voice_id, character_id, revision, audio_object_key, duration_seconds
         FROM narration_segments WHERE narration_id = ANY($1::uuid[]) ORDER BY narration_id, segment_index`,
      [rows.map((r) => r.id)],
    );
    const byNarration = new Map<string, Segment[]>();
    for (const r of segmentRows) {
      const list = byNarration.get(r.narration_id) ?? [];
      list.push(toSegment(r));
      byNarration.set(r.narration_id, list);
    }
    return rows.map((r) => Narration.rehydrate(toState(r, byNarration.get(r.id) ?? []), r.version, this.clock));
  }
}

function toSegment(r: SegmentRow): Segment {
  if (!isEmotion(r.emotion)) throw new Error(`narration ${r.narration_id} segment ${r.segment_index}: unknown emotion ${r.emotion}`);
  return {
    index: r.segment_index,
    text: r.text,
    emotion: r.emotion,
    voiceId: r.voice_id,
    characterId: r.character_id,
    revision: r.revision,
    audio: r.audio_object_key !== null && r.duration_seconds !== null ? { objectKey: r.audio_object_key, durationSeconds: Number(r.duration_seconds) } : null,
  };
}

function toState(r: NarrationRow, segments: Segment[]): NarrationState {
  return {
    id: r.id,
    storyId: r.story_id ?? '',
    ownerId: r.owner_id ?? '',
    voiceId: r.voice_id ?? '',
    characterVoices: { ...r.character_voices },
    narratorProfile: isNarratorProfile(r.narrator_profile) ? r.narrator_profile : 'neutral',
    conversationStyle: isConversationStyle(r.conversation_style) ? r.conversation_style : 'respectful',
    status: r.status,
    segments,
    audio: r.audio_object_key !== null && r.audio_duration_seconds !== null ? { objectKey: r.audio_object_key, durationSeconds: Number(r.audio_duration_seconds) } : null,
    audioRevision: r.audio_revision,
    failureReason: r.failure_reason,
    sagaId: r.saga_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
