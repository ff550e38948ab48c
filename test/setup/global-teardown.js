import { rmSync } from 'node:fs';

export default async function globalTeardown() {
  const running = globalThis.__vepTestServer;
  if (!running) return;
  await running.server.stop();
  rmSync(running.dir, { recursive: true, force: true });
}
