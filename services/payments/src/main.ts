import 'reflect-metadata';
import { getLogger, rootLogger } from '@storytelling/platform';
import { createPaymentsApp } from './app.js';

try {
  await createPaymentsApp(process.env);
} catch (err) {
  getLogger('main').fatal({ err }, 'payments failed to start');
  rootLogger.flush();
  process.exit(1);
}
