// Media: object storage (port + filesystem and S3 adapters), signed file links and serving, and
// the audio tools (ffmpeg, Piper, espeak-ng) run as separate processes. ADR 0019.
export * from './atomic-output.js';
export * from './audio.js';
export * from './audio-transform.js';
export * from './byte-range.js';
export * from './content-type.js';
export * from './espeak.js';
export * from './filesystem-object-storage.js';
export * from './media-process.js';
export * from './media-tool-paths.js';
export * from './object-key.js';
export * from './object-storage.js';
export * from './piper.js';
export * from './pitch.js';
export * from './s3-object-storage.js';
export * from './serve-object.js';
export * from './speech-synthesiser.js';
export * from './url-signer.js';
export * from './media-config.js';
