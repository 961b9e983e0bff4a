import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '@storytelling/kernel';
import {
  concatWithPauses,
  isSilent,
  measureLoudness,
  measureSignal,
  MediaToolMissingError,
  normaliseSample,
  NotAudioError,
  probeAudio,
  runTool,
  SPEECH_LOUDNESS,
} from '../../src/media/index.js';
import { scratchDir, silence, tone, tools } from './media-audio-fixtures.js';

const options = { ffmpeg: tools.ffmpeg, ffprobe: tools.ffprobe };
const { dir, cleanup } = scratchDir('audio');
afterAll(cleanup);

describe('media audio: probeAudio', () => {
  it('a 2 s WAV tone: container, codec, duration within 50 ms, rate, channels', async () => {
    const path = await tone(dir, { file: 'tone.wav', durationSec: 2, sampleRate: 22050 });
    const info = await probeAudio(path, options);
    expect(info).toMatchObject({ container: 'wav', contentType: 'audio/wav', codec: 'pcm_s16le', sampleRate: 22050, channels: 1 });
    expect(Math.abs(info.durationSec - 2)).toBeLessThan(0.05);
  });

  it('Opus in Ogg', async () => {
    const info = await probeAudio(await tone(dir, { file: 'tone.ogg', durationSec: 1.5 }), options);
    expect(info).toMatchObject({ container: 'ogg', contentType: 'audio/ogg', codec: 'opus', sampleRate: 48000, channels: 1 });
    expect(Math.abs(info.durationSec - 1.5)).toBeLessThan(0.05);
  });

  it('a WebM recording without a duration in its header is measured by decoding', async () => {
    const info = await probeAudio(await tone(dir, { file: 'recorded.webm', durationSec: 3 }), options);
    expect(info).toMatchObject({ contentType: 'audio/webm', codec: 'opus' });
    expect(Math.abs(info.durationSec - 3)).toBeLessThan(0.05);
  });

  it('a text file named .wav is NotAudio (a ValidationError with code NOT_AUDIO)', async () => {
    const path = join(dir, 'notes.wav');
    writeFileSync(path, 'The storm came at night and Mira was afraid.\n'.repeat(20));
    const error = await probeAudio(path, options).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NotAudioError);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'NOT_AUDIO' });
    await expect(measureSignal(path, options)).rejects.toBeInstanceOf(NotAudioError);
  });

  it('an image, an empty file and random bytes are NotAudio too', async () => {
    const png = join(dir, 'picture.wav');
    await runTool(tools.ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=red:s=32x32:d=1', '-frames:v', '1', '-f', 'image2', '-c:v', 'png', '-y', png]);
    const empty = join(dir, 'empty.ogg');
    writeFileSync(empty, '');
    const random = join(dir, 'random.mp3');
    writeFileSync(random, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
    for (const path of [png, empty, random]) await expect(probeAudio(path, options)).rejects.toBeInstanceOf(NotAudioError);
  });

  it('a missing file is ENOENT, not NotAudio; a missing ffprobe says how to install it', async () => {
    await expect(probeAudio(join(dir, 'nope.wav'), options)).rejects.toMatchObject({ code: 'ENOENT' });
    const path = await tone(dir, { file: 'for-missing-tool.wav' });
    await expect(probeAudio(path, { ffprobe: '/nonexistent/ffprobe' })).rejects.toBeInstanceOf(MediaToolMissingError);
    await expect(probeAudio(path, { ffprobe: '/nonexistent/ffprobe' })).rejects.toThrow(/npm run bootstrap/);
  });

  it('odd file names are files, not ffmpeg options or protocols', async () => {
    const original = await tone(dir, { file: 'odd-source.wav', durationSec: 1 });
    for (const name of ['-i', 'concat:x.wav', 'file with spaces.wav']) {
      copyFileSync(original, join(dir, name));
      expect(Math.abs((await probeAudio(join(dir, name), options)).durationSec - 1)).toBeLessThan(0.05);
    }
  });
});

describe('media audio: measureSignal', () => {
  it('digital silence is silent; a tone is not', async () => {
    const quiet = await measureSignal(await silence(dir, 'silence.wav', 1), options);
    expect(quiet.maxVolumeDb).toBeLessThan(-80);
    expect(isSilent(quiet)).toBe(true);
    const loud = await measureSignal(await tone(dir, { file: 'signal.wav' }), options);
    // lavfi's sine peaks at 1/8 of full scale: -18 dBFS, RMS 3 dB lower.
    expect(loud.maxVolumeDb).toBeGreaterThan(-19);
    expect(loud.maxVolumeDb).toBeLessThan(-17);
    expect(loud.meanVolumeDb).toBeLessThan(loud.maxVolumeDb);
    expect(isSilent(loud)).toBe(false);
  });

  it('a very quiet tone (-60 dB below the sine) counts as silence at the default threshold', async () => {
    const faint = await measureSignal(await tone(dir, { file: 'faint.wav', gainDb: -60 }), options);
    expect(isSilent(faint)).toBe(true);
    expect(isSilent(faint, -90)).toBe(false);
  });
});

describe('media audio: normaliseSample', () => {
  it('brings a quiet recording to the speech loudness target, mono Opus at 48 kHz', async () => {
    const input = await tone(dir, { file: 'quiet-stereo-source.wav', gainDb: -25, durationSec: 3, sampleRate: 44100 });
    const before = (await measureLoudness(input, options)).input.integratedLufs;
    const output = join(dir, 'normalised.ogg');
    const result = await normaliseSample(input, output, { ...options, format: 'ogg-opus' });
    expect(result.inputLufs).toBeCloseTo(before, 1);
    const after = (await measureLoudness(output, options)).input.integratedLufs;
    const target = SPEECH_LOUDNESS.integratedLufs;
    expect(Math.abs(after - target)).toBeLessThan(1);
    expect(Math.abs(after - target)).toBeLessThan(Math.abs(before - target) / 10);
    const info = await probeAudio(output, options);
    expect(info).toMatchObject({ container: 'ogg', codec: 'opus', sampleRate: 48000, channels: 1 });
    expect(Math.abs(info.durationSec - 3)).toBeLessThan(0.05);
  });

  it('turns a loud recording down, to WAV at a chosen rate and target', async () => {
    const input = await tone(dir, { file: 'loud.wav', gainDb: 15 });
    const output = join(dir, 'normalised.wav');
    const target = { integratedLufs: -23, truePeakDb: -2, loudnessRangeLu: 7 };
    const { inputLufs } = await normaliseSample(input, output, { ...options, format: 'wav', sampleRate: 16000, target });
    expect(inputLufs).toBeGreaterThan(-10);
    expect(Math.abs((await measureLoudness(output, options)).input.integratedLufs - -23)).toBeLessThan(1);
    expect(await probeAudio(output, options)).toMatchObject({ container: 'wav', codec: 'pcm_s16le', sampleRate: 16000, channels: 1 });
  });

  it('refuses a non-audio input before writing anything, and Opus at a rate it cannot encode', async () => {
    const text = join(dir, 'text.ogg');
    writeFileSync(text, 'hello');
    await expect(normaliseSample(text, join(dir, 'never.ogg'), options)).rejects.toBeInstanceOf(NotAudioError);
    await expect(probeAudio(join(dir, 'never.ogg'), options)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(normaliseSample(await tone(dir, { file: 'rate.wav' }), join(dir, 'x.ogg'), { ...options, format: 'ogg-opus', sampleRate: 44100 })).rejects.toThrow(/Opus cannot encode at 44100/);
  });
});

describe('media audio: concatWithPauses', () => {
  it('joins segments of different formats with silence between them', async () => {
    const a = await tone(dir, { file: 'seg-a.wav', durationSec: 1, frequencyHz: 220, sampleRate: 22050 });
    const b = await tone(dir, { file: 'seg-b.ogg', durationSec: 0.5, frequencyHz: 330 });
    const c = await tone(dir, { file: 'seg-c.wav', durationSec: 0.75, frequencyHz: 440, sampleRate: 16000 });
    const output = join(dir, 'joined.wav');
    await concatWithPauses([a, b, c], 400, output, options);
    const info = await probeAudio(output, options);
    expect(info).toMatchObject({ container: 'wav', channels: 1, sampleRate: 24000 });
    expect(Math.abs(info.durationSec - (1 + 0.5 + 0.75 + 2 * 0.4))).toBeLessThan(0.05);
    const ogg = join(dir, 'joined.ogg');
    await concatWithPauses([a, c], 0, ogg, { ...options, format: 'ogg-opus' });
    expect(Math.abs((await probeAudio(ogg, options)).durationSec - 1.75)).toBeLessThan(0.05);
  });

  it('refuses no input, a negative pause and a non-audio segment', async () => {
    await expect(concatWithPauses([], 100, join(dir, 'none.wav'), options)).rejects.toThrow(/at least one/);
    const a = await tone(dir, { file: 'seg-ok.wav', durationSec: 0.5 });
    await expect(concatWithPauses([a], -1, join(dir, 'none.wav'), options)).rejects.toThrow(/pauseMs/);
    const text = join(dir, 'seg-text.wav');
    writeFileSync(text, 'not audio');
    await expect(concatWithPauses([a, text], 100, join(dir, 'none.wav'), options)).rejects.toBeInstanceOf(NotAudioError);
  });
});
