import type { Clock } from '@storytelling/kernel';
import { VersionConflictError } from '@storytelling/kernel';
import { returnedRows, type EventStore } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import type { VoiceRepository, VoiceSampleState } from '../../domain/index.js';
import { VOICE_AGGREGATE_TYPE, Voice, isEmotion, isTrainingStatus, isVoiceProfile, isVoiceProvider } from '../../domain/index.js';

/** A `voices` row as node-postgres returns it (timestamptz → Date, jsonb → parsed). */
interface VoiceRow {
  id: string;
  owner_id: string;
  name: string;
  provider: string;
  provider_voice_id: string | null;
  training_status: string;
  failure_reason: string | null;
  profile: unknown;
  trained_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** A `voice_samples` row (bigint → string). */
interface SampleRow {
  id: string;
  voice_id: string;
  emotion: string;
  text: string;
  object_key: string;
  content_type: string;
  duration_seconds: number;
  size_bytes: string;
  locked: boolean;
  created_at: Date;
}

const VOICE_COLUMNS = `id, owner_id, name, provider, provider_voice_id, training_status, failure_reason, profile, trained_at, version, created_at, updated_at`;
const SAMPLE_COLUMNS = `id, voice_id, emotion, text, object_key, content_type, duration_seconds, size_bytes, locked, created_at`;

function corrupt(what: string, value: unknown): never {
  throw new Error(`unexpected ${what} in the voices tables: ${String(value)}`);
}

function toSample(r: SampleRow): VoiceSampleState {
  if (!isEmotion(r.emotion)) corrupt('emotion', r.emotion);
  return {
    id: r.id,
    emotion: r.emotion,
    text: r.text,
    objectKey: r.object_key,
    contentType: r.content_type,
    durationSeconds: Number(r.duration_seconds),
    sizeBytes: Number(r.size_bytes),
    locked: r.locked,
    createdAt: r.created_at,
  };
}

/**
 * Voices (table `voices`) with their samples (`voice_samples`) as parameterised SQL: a save
 * updates the row at the loaded version, replaces the sample set (deleted samples go, new ones
 * come, `locked` follows the aggregate) and appends the voice's events to the outbox.
 */
export class SqlVoiceRepository implements VoiceRepository {
  constructor(
    private readonly em: EntityManager,
    private readonly events: EventStore,
    private readonly clock: Clock,
  ) {}

  async find(id: string, options: { lock?: boolean } = {}): Promise<Voice | undefined> {
    const rows: VoiceRow[] = await this.em.query(`SELECT ${VOICE_COLUMNS} FROM voices WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`, [id]);
    const row = rows[0];
    if (!row) return undefined;
    return this.hydrate(row, await this.samplesOf([row.id]));
  }

  async listByOwner(ownerId: string): Promise<Voice[]> {
    const rows: VoiceRow[] = await this.em.query(`SELECT ${VOICE_COLUMNS} FROM voices WHERE owner_id = $1 ORDER BY created_at, id`, [ownerId]);
    if (rows.length === 0) return [];
    const samples = await this.samplesOf(rows.map((r) => r.id));
    return rows.map((r) => this.hydrate(r, samples));
  }

  async add(voice: Voice): Promise<void> {
    const s = voice.toState();
    await this.em.query(
      `INSERT INTO voices (${VOICE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [s.id, s.ownerId, s.name, s.provider, s.providerVoiceId, s.trainingStatus, s.failureReason, s.profile ? JSON.stringify(s.profile) : null, s.trainedAt, s.version, s.createdAt, s.updatedAt],
    );
    await this.writeSamples(voice);
    await this.events.append(this.em, voice, VOICE_AGGREGATE_TYPE);
  }

  async save(voice: Voice): Promise<void> {
    const s = voice.toState();
    const result: unknown = await this.em.query(
      `UPDATE voices SET name = $3, provider = $4, provider_voice_id = $5, training_status = $6, failure_reason = $7, profile = $8,
              trained_at = $9, version = $10, updated_at = $11
        WHERE id = $1 AND version = $2 RETURNING id`,
      [s.id, voice.loadedVersion, s.name, s.provider, s.providerVoiceId, s.trainingStatus, s.failureReason, s.profile ? JSON.stringify(s.profile) : null, s.trainedAt, s.version, s.updatedAt],
    );
    if (returnedRows(result).length !== 1) throw new VersionConflictError(voice.id, voice.loadedVersion);
    await this.writeSamples(voice);
    await this.events.append(this.em, voice, VOICE_AGGREGATE_TYPE);
  }

  async deleteByOwner(ownerId: string): Promise<Voice[]> {
    const voices = await this.listByOwner(ownerId);
    // Samples and training jobs go with their voice (ON DELETE CASCADE).
    if (voices.length > 0) {
      await this.em.query(`DELETE FROM voices WHERE owner_id = $1`, [ownerId]);
      // The outbox keeps published events for a while (OUTBOX_RETENTION_MS); theirs name the
      // voice (often after the person), so they go now. Unpublished ones are still relayed first.
      await this.em.query(`DELETE FROM domain_events WHERE aggregate_id = ANY($1::uuid[]) AND published_at IS NOT NULL`, [voices.map((v) => v.id)]);
    }
    return voices;
  }

  /** The voice's sample set as the aggregate holds it: removed samples deleted, new ones inserted, `locked` updated. */
  private async writeSamples(voice: Voice): Promise<void> {
    const samples = voice.samples;
    await this.em.query(`DELETE FROM voice_samples WHERE voice_id = $1 AND NOT (id = ANY($2::uuid[]))`, [voice.id, samples.map((x) => x.id)]);
    if (samples.length === 0) return;
    await this.em.query(
      `INSERT INTO voice_samples (${SAMPLE_COLUMNS})
       SELECT s.id, $1::uuid, s.emotion, s.text, s.object_key, s.content_type, s.duration_seconds, s.size_bytes, s.locked, s.created_at
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::bigint[], $9::bool[], $10::timestamptz[])
           AS s (id, emotion, text, object_key, content_type, duration_seconds, size_bytes, locked, created_at)
       ON CONFLICT (id) DO UPDATE SET locked = EXCLUDED.locked`,
      [
        voice.id,
        samples.map((x) => x.id),
        samples.map((x) => x.emotion),
        samples.map((x) => x.text),
        samples.map((x) => x.objectKey),
        samples.map((x) => x.contentType),
        samples.map((x) => x.durationSeconds),
        samples.map((x) => x.sizeBytes),
        samples.map((x) => x.locked),
        samples.map((x) => x.createdAt),
      ],
    );
  }

  private async samplesOf(voiceIds: string[]): Promise<Map<string, VoiceSampleState[]>> {
    const rows: SampleRow[] = await this.em.query(`SELECT ${SAMPLE_COLUMNS} FROM voice_samples WHERE voice_id = ANY($1::uuid[]) ORDER BY created_at, id`, [voiceIds]);
    const byVoice = new Map<string, VoiceSampleState[]>();
    for (const r of rows) byVoice.set(r.voice_id, [...(byVoice.get(r.voice_id) ?? []), toSample(r)]);
    return byVoice;
  }

  private hydrate(r: VoiceRow, samples: Map<string, VoiceSampleState[]>): Voice {
    if (!isVoiceProvider(r.provider)) corrupt('provider', r.provider);
    if (!isTrainingStatus(r.training_status)) corrupt('training status', r.training_status);
    return Voice.rehydrate(
      {
        id: r.id,
        ownerId: r.owner_id,
        name: r.name,
        provider: r.provider,
        providerVoiceId: r.provider_voice_id,
        trainingStatus: r.training_status,
        failureReason: r.failure_reason,
        profile: isVoiceProfile(r.profile) ? r.profile : null,
        samples: samples.get(r.id) ?? [],
        trainedAt: r.trained_at,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
        version: r.version,
      },
      this.clock,
    );
  }
}
