import { rmSync } from 'node:fs';

export default async function globalTeardown() {
  if (process.env.VEP_AXE_PASSED_DIR) {
    rmSync(process.env.VEP_AXE_PASSED_DIR, { recursive: true, force: true });
  }
  const running = globalThis.__vepTestServer;
  if (!running) return;
  await running.server.stop();
  rmSync(running.dir, { recursive: true, force: true });
}
