import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { concatWithPauses, hasRubberband, NoPitchError, NotAudioError, pitchOf, probeAudio, shiftPitch } from '../../src/media/index.js';
import { scratchDir, silence, tone, tools } from './media-audio-fixtures.js';

const options = { ffmpeg: tools.ffmpeg, ffprobe: tools.ffprobe };
const { dir, cleanup } = scratchDir('pitch');
afterAll(cleanup);

const within = (actual: number, expected: number, fraction: number): boolean => Math.abs(actual - expected) <= expected * fraction;

describe('media audio: pitchOf', () => {
  it.each([110, 220, 330])('a %i Hz tone measures within 3 %%', async (hz) => {
    const pitch = await pitchOf(await tone(dir, { file: `tone-${hz}.wav`, frequencyHz: hz, durationSec: 1.5 }), options);
    expect(within(pitch.f0MedianHz, hz, 0.03)).toBe(true);
    expect(within(pitch.f0MinHz, hz, 0.03)).toBe(true);
    expect(within(pitch.f0MaxHz, hz, 0.03)).toBe(true);
    expect(pitch.voicedFrames).toBeGreaterThan(pitch.frames * 0.9);
  });

  it('counts only voiced frames: a tone with silence around it has the same pitch', async () => {
    const quiet = await silence(dir, 'gap.wav', 1);
    const voiced = await tone(dir, { file: 'voiced.wav', frequencyHz: 220, durationSec: 1 });
    const mixed = join(dir, 'mixed.wav');
    await concatWithPauses([quiet, voiced, quiet], 0, mixed, options);
    const pitch = await pitchOf(mixed, options);
    expect(within(pitch.f0MedianHz, 220, 0.03)).toBe(true);
    expect(pitch.voicedFrames).toBeLessThan(pitch.frames * 0.5);
  });

  it('silence has no pitch; a non-audio file is NotAudio', async () => {
    await expect(pitchOf(await silence(dir, 'silent.wav', 1), options)).rejects.toBeInstanceOf(NoPitchError);
    writeFileSync(join(dir, 'text.wav'), 'not audio at all');
    await expect(pitchOf(join(dir, 'text.wav'), options)).rejects.toBeInstanceOf(NotAudioError);
  });
});

describe('media audio: shiftPitch', () => {
  const FOUR_SEMITONES = 2 ** (4 / 12); // ≈ 1.26

  it('Debian ffmpeg has rubberband, so auto picks it', async () => {
    expect(await hasRubberband(options)).toBe(true);
    expect(await hasRubberband({ ffmpeg: '/nonexistent/ffmpeg' })).toBe(false);
  });

  it.each(['rubberband', 'resample'] as const)('%s: +4 semitones moves F0 by ≈ 26 %% and keeps the duration', async (method) => {
    const input = await tone(dir, { file: `shift-in-${method}.wav`, frequencyHz: 220, durationSec: 2 });
    const output = join(dir, `shift-out-${method}.wav`);
    const result = await shiftPitch(input, output, { semitones: 4 }, { ...options, method });
    expect(result).toEqual({ method, ratio: FOUR_SEMITONES });
    const before = (await pitchOf(input, options)).f0MedianHz;
    const after = (await pitchOf(output, options)).f0MedianHz;
    expect(within(after / before, FOUR_SEMITONES, 0.03)).toBe(true);
    const info = await probeAudio(output, options);
    expect(Math.abs(info.durationSec - 2)).toBeLessThan(0.05);
    expect(info.sampleRate).toBe(22050);
  });

  it('down by a ratio, to Opus; refuses absurd ratios', async () => {
    const input = await tone(dir, { file: 'down-in.wav', frequencyHz: 330, durationSec: 1.5 });
    const output = join(dir, 'down-out.ogg');
    expect((await shiftPitch(input, output, { ratio: 0.75 }, { ...options, format: 'ogg-opus' })).method).toBe('rubberband');
    expect(within((await pitchOf(output, options)).f0MedianHz, 330 * 0.75, 0.03)).toBe(true);
    expect(await probeAudio(output, options)).toMatchObject({ codec: 'opus', sampleRate: 48000 });
    await expect(shiftPitch(input, output, { ratio: 5 }, options)).rejects.toThrow(/between 0.25 and 4/);
    await expect(shiftPitch(input, output, { semitones: Number.NaN }, options)).rejects.toThrow(/between 0.25 and 4/);
  });

  it('the resample fallback chains atempo for shifts beyond an octave', async () => {
    const input = await tone(dir, { file: 'octave-in.wav', frequencyHz: 110, durationSec: 1.5 });
    const output = join(dir, 'octave-out.wav');
    await shiftPitch(input, output, { semitones: 15 }, { ...options, method: 'resample' });
    expect(within((await pitchOf(output, options)).f0MedianHz, 110 * 2 ** (15 / 12), 0.03)).toBe(true);
    expect(Math.abs((await probeAudio(output, options)).durationSec - 1.5)).toBeLessThan(0.05);
  });
});
