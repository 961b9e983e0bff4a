import 'reflect-metadata';
import { getLogger, rootLogger } from '@storytelling/platform';
import { createNotificationApp } from './app.js';

try {
  await createNotificationApp(process.env);
} catch (err) {
  getLogger('main').fatal({ err }, 'notification failed to start');
  rootLogger.flush();
  process.exit(1);
}
