import 'reflect-metadata';
import { getLogger, rootLogger } from '@storytelling/platform';
import { createStoryApp } from './app.js';

try {
  await createStoryApp(process.env);
} catch (err) {
  getLogger('main').fatal({ err }, 'story failed to start');
  rootLogger.flush();
  process.exit(1);
}
