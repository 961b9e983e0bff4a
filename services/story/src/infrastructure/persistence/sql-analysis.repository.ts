import type { EntityManager } from 'typeorm';
import type { AnalysisRepository, StoredAnalysis } from '../../domain/index.js';
import { isCharacterRole, isEmotion } from '../../domain/index.js';

interface AnalysisHeaderRow {
  analysis_type: string;
  content_hash: string;
  analyser: string;
  created_at: Date;
}

interface CharacterRow {
  id: string;
  name: string;
  description: string;
  personality: string;
  role: string;
  traits: unknown;
}

interface EmotionRow {
  emotion: string;
  intensity: number;
  context: string;
  quote: string;
  segment_index: number;
}

export class SqlAnalysisRepository implements AnalysisRepository {
  constructor(private readonly em: EntityManager) {}

  async find(storyId: string): Promise<StoredAnalysis | undefined> {
    const rows: AnalysisHeaderRow[] = await this.em.query(
      `SELECT analysis_type, content_hash, analyser, created_at FROM story_analyses WHERE story_id = $1`,
      [storyId],
    );
    const chars = rows.find((r) => r.analysis_type === 'characters');
    const emos = rows.find((r) => r.analysis_type === 'emotions');
    if (!chars || !emos || chars.content_hash !== emos.content_hash) return undefined;
    const [characters, emotions] = await Promise.all([
      this.em.query(
        `SELECT id, name, description, personality, role, traits FROM story_characters WHERE story_id = $1 ORDER BY position`,
        [storyId],
      ) as Promise<CharacterRow[]>,
      this.em.query(
        `SELECT emotion, intensity, context, quote, segment_index FROM story_emotions WHERE story_id = $1 ORDER BY position`,
        [storyId],
      ) as Promise<EmotionRow[]>,
    ]);
    return {
      storyId,
      contentHash: chars.content_hash,
      analyser: chars.analyser,
      createdAt: chars.created_at,
      characters: characters.map((c) => ({
        id: c.id,
        name: c.name,
        description: c.description,
        personality: c.personality,
        role: isCharacterRole(c.role) ? c.role : 'other',
        traits: Array.isArray(c.traits) ? c.traits.filter((t): t is string => typeof t === 'string') : [],
      })),
      emotions: emotions.flatMap((e) =>
        isEmotion(e.emotion)
          ? [{ emotion: e.emotion, intensity: e.intensity, context: e.context, quote: e.quote, segmentIndex: e.segment_index }]
          : [],
      ),
    };
  }

  async replace(a: StoredAnalysis): Promise<void> {
    await this.em.query(`DELETE FROM story_characters WHERE story_id = $1`, [a.storyId]);
    await this.em.query(`DELETE FROM story_emotions WHERE story_id = $1`, [a.storyId]);
    if (a.characters.length > 0) {
      await this.em.query(
        `INSERT INTO story_characters (id, story_id, position, name, description, personality, role, traits, created_at)
         SELECT x.id, $1, x.position, x.name, x.description, x.personality, x.role, x.traits, $3
           FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, position int, name text, description text, personality text, role text, traits jsonb)`,
        [a.storyId, JSON.stringify(a.characters.map((c, position) => ({ ...c, position }))), a.createdAt],
      );
    }
    if (a.emotions.length > 0) {
      await this.em.query(
        `INSERT INTO story_emotions (story_id, position, emotion, intensity, context, quote, segment_index, created_at)
         SELECT $1, x.position, x.emotion, x.intensity, x.context, x.quote, x."segmentIndex", $3
           FROM jsonb_to_recordset($2::jsonb) AS x(position int, emotion text, intensity int, context text, quote text, "segmentIndex" int)`,
        [a.storyId, JSON.stringify(a.emotions.map((e, position) => ({ ...e, position }))), a.createdAt],
      );
    }
    const summaries: Array<[string, Record<string, unknown>]> = [
      ['characters', { count: a.characters.length, names: a.characters.map((c) => c.name) }],
      ['emotions', { count: a.emotions.length }],
    ];
    for (const [type, data] of summaries) {
      await this.em.query(
        `INSERT INTO story_analyses (story_id, analysis_type, analysis_data, content_hash, analyser, version, created_at)
         VALUES ($1, $2, $3::jsonb, $4, $5, 1, $6)
         ON CONFLICT (story_id, analysis_type) DO UPDATE
           SET analysis_data = EXCLUDED.analysis_data, content_hash = EXCLUDED.content_hash, analyser = EXCLUDED.analyser,
               version = story_analyses.version + 1, created_at = EXCLUDED.created_at`,
        [a.storyId, type, JSON.stringify(data), a.contentHash, a.analyser, a.createdAt],
      );
    }
  }
}
