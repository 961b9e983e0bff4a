import 'reflect-metadata';
import { getLogger, rootLogger } from '@storytelling/platform';
import { createIdentityApp } from './app.js';

try {
  await createIdentityApp(process.env);
} catch (err) {
  getLogger('main').fatal({ err }, 'identity failed to start');
  rootLogger.flush();
  process.exit(1);
}
