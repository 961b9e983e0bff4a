#!/usr/bin/env node
// The fleet as local processes. `npm start` (scripts/start.mjs) runs it in the foreground;
// `npm run fleet:down` stops a fleet left running (pid files in .data/run/fleet/);
// `node scripts/fleet.mjs status` lists what runs.
import { runCli, say, UserFacingError } from './lib/log.mjs';
import { runningServices, stopFleet } from './lib/fleet-launcher.mjs';

const command = process.argv[2];

await runCli(async () => {
  if (command === 'down') {
    const stopped = await stopFleet();
    if (stopped === 0) say('fleet', 'nothing running');
  } else if (command === 'status') {
    const running = runningServices();
    if (running.length === 0) say('fleet', 'nothing running');
    for (const s of running) say('fleet', `${s.name}: pid ${s.pid}`);
  } else {
    throw new UserFacingError('usage: node scripts/fleet.mjs down|status (start the fleet with `npm start`)');
  }
});
