#!/usr/bin/env node
// The fleet as local processes (launching logic in lib/fleet-launcher.mjs):
//   up      infrastructure, provisioning, migrations, every built service; foreground until
//           Ctrl-C (npm start = bootstrap + build + this)
//   down    stop a fleet left running (pid files in .data/run/fleet/)   (npm run fleet:down)
//   status  what runs
// `up` runs the services on the images' Node major (scripts/lib/node-runtime.mjs).
import { runCli, say, UserFacingError } from './lib/log.mjs';
import { runningServices, stopFleet } from './lib/fleet-launcher.mjs';

const command = process.argv[2];

await runCli(async () => {
  if (command === 'up') {
    const { runOnProjectNode } = await import('./lib/node-runtime.mjs');
    await runOnProjectNode();
    const { runFleetInForeground } = await import('./lib/fleet-foreground.mjs');
    await runFleetInForeground();
  } else if (command === 'down') {
    const stopped = await stopFleet();
    if (stopped === 0) say('fleet', 'nothing running');
  } else if (command === 'status') {
    const running = runningServices();
    if (running.length === 0) say('fleet', 'nothing running');
    for (const s of running) say('fleet', `${s.name}: pid ${s.pid}`);
  } else {
    throw new UserFacingError('usage: node scripts/fleet.mjs up|down|status (npm start builds first, then runs `up`)');
  }
});
