import { EMOTIONS, InvalidAnalysisError, analysisStatus, assignCharacterIds, dominantEmotion, normaliseAnalysis } from '../../../src/domain/index.js';

describe('analysis results', () => {
  it('the emotion set is the ten emotions plus neutral', () => {
    expect(EMOTIONS).toEqual(['joy', 'sadness', 'anger', 'fear', 'surprise', 'disgust', 'contempt', 'love', 'curiosity', 'excitement', 'neutral']);
  });

  it('normalises whatever the analyser answered', () => {
    const out = normaliseAnalysis({
      characters: [
        { name: '  Mira ', description: 'keeper', personality: 'kind', role: 'protagonist', traits: ['brave', 'brave', ' ', 7] },
        { name: 'mira', traits: ['curious'] }, // same character, other case: merged
        { name: '', role: 'antagonist' }, // no name: dropped
        { name: 'Storm', role: 'villain' }, // unknown role: other
        'nonsense',
      ],
      emotions: [
        { emotion: 'Fear', intensity: 7.6, context: 'c', quote: 'q', segmentIndex: 2 },
        { emotion: 'rage', intensity: 5, segmentIndex: 0 }, // not in the set: dropped
        { emotion: 'joy', intensity: 99, segmentIndex: -3.5 }, // clamped, fixed
        { emotion: 'joy', intensity: 'high' }, // no intensity: dropped
      ],
    });
    expect(out.characters).toEqual([
      { name: 'Mira', description: 'keeper', personality: 'kind', role: 'protagonist', traits: ['brave', 'curious'] },
      { name: 'Storm', description: '', personality: '', role: 'other', traits: [] },
    ]);
    expect(out.emotions).toEqual([
      { emotion: 'fear', intensity: 8, context: 'c', quote: 'q', segmentIndex: 2 },
      { emotion: 'joy', intensity: 10, context: '', quote: '', segmentIndex: 0 },
    ]);
  });

  it('an answer without both lists is not an analysis', () => {
    expect(() => normaliseAnalysis({ characters: [] })).toThrow(InvalidAnalysisError);
    expect(() => normaliseAnalysis('text')).toThrow(InvalidAnalysisError);
  });

  it('character ids stay stable across re-analyses by name', () => {
    let n = 0;
    const newId = () => `new-${++n}`;
    const first = assignCharacterIds([{ name: 'Mira', description: '', personality: '', role: 'protagonist', traits: [] }], [], newId);
    const second = assignCharacterIds(
      [
        { name: 'MIRA', description: 'older', personality: '', role: 'protagonist', traits: [] },
        { name: 'Tom', description: '', personality: '', role: 'supporting', traits: [] },
      ],
      first,
      newId,
    );
    expect(second.map((c) => c.id)).toEqual([first[0]!.id, 'new-2']);
  });

  it('dominant emotion: most frequent, then most intense, neutral when none', () => {
    const e = (emotion: 'joy' | 'fear', intensity: number) => ({ emotion, intensity, context: '', quote: '', segmentIndex: 0 });
    expect(dominantEmotion([])).toBe('neutral');
    expect(dominantEmotion([e('joy', 2), e('fear', 1), e('fear', 1)])).toBe('fear');
    expect(dominantEmotion([e('joy', 2), e('fear', 9)])).toBe('fear');
  });

  it('status of the analysis of the current content', () => {
    const h = 'a'.repeat(64);
    const old = 'b'.repeat(64);
    const t = (s: number) => new Date(2026, 0, 1, 0, 0, s);
    expect(analysisStatus({ storyStatus: 'draft', storyContentHash: h })).toBe('none');
    expect(analysisStatus({ storyStatus: 'analyzing', storyContentHash: h, stored: { contentHash: old, createdAt: t(1) } })).toBe('analyzing');
    expect(analysisStatus({ storyStatus: 'analyzed', storyContentHash: h, stored: { contentHash: h, createdAt: t(1) } })).toBe('analyzed');
    expect(analysisStatus({ storyStatus: 'draft', storyContentHash: h, stored: { contentHash: old, createdAt: t(1) } })).toBe('stale');
    expect(analysisStatus({ storyStatus: 'draft', storyContentHash: h, lastFailure: { contentHash: h, failedAt: t(2) } })).toBe('failed');
    expect(
      analysisStatus({ storyStatus: 'draft', storyContentHash: h, stored: { contentHash: old, createdAt: t(1) }, lastFailure: { contentHash: h, failedAt: t(2) } }),
    ).toBe('failed');
    // a failure of an earlier content does not describe this one
    expect(analysisStatus({ storyStatus: 'draft', storyContentHash: h, lastFailure: { contentHash: old, failedAt: t(2) } })).toBe('none');
    expect(
      analysisStatus({ storyStatus: 'analyzed', storyContentHash: h, stored: { contentHash: h, createdAt: t(1) }, lastFailure: { contentHash: h, failedAt: t(2) } }),
    ).toBe('analyzed');
  });
});
