import { normalisationFilter, SPEECH_LOUDNESS } from '../../src/media/index.js';

const measured = (overrides: { integratedLufs?: number; thresholdLufs?: number; targetOffset?: number } = {}) => ({
  input: { integratedLufs: overrides.integratedLufs ?? -30.5, truePeakDb: -12, loudnessRangeLu: 4, thresholdLufs: overrides.thresholdLufs ?? -40.5 },
  targetOffset: overrides.targetOffset ?? 0.3,
});

describe('normalisationFilter (loudnorm second pass)', () => {
  it('passes the first pass measures on, for one linear gain', () => {
    const filter = normalisationFilter(measured(), SPEECH_LOUDNESS);
    expect(filter).toContain('measured_I=-30.5');
    expect(filter).toContain('offset=0.3:linear=true');
  });

  it.each([
    ['silence', { integratedLufs: -Infinity, targetOffset: Infinity }],
    ['a finite loudness with an infinite offset', { targetOffset: Infinity }],
    ['a finite loudness with an infinite threshold', { thresholdLufs: -Infinity }],
  ])('falls back to single-pass loudnorm for %s (ffmpeg refuses offset=inf)', (_what, overrides) => {
    const filter = normalisationFilter(measured(overrides), SPEECH_LOUDNESS);
    expect(filter).not.toMatch(/Infinity|inf/);
    expect(filter).not.toContain('measured_I');
  });
});
