import 'reflect-metadata';
import { getLogger, rootLogger } from '@storytelling/platform';
import { createSubscriptionApp } from './app.js';

try {
  await createSubscriptionApp(process.env);
} catch (err) {
  getLogger('main').fatal({ err }, 'subscription failed to start');
  rootLogger.flush();
  process.exit(1);
}
