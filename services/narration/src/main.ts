import 'reflect-metadata';
import { getLogger, rootLogger } from '@storytelling/platform';
import { createNarrationApp } from './app.js';

try {
  await createNarrationApp(process.env);
} catch (err) {
  getLogger('main').fatal({ err }, 'narration failed to start');
  rootLogger.flush();
  process.exit(1);
}
