import { startEmbeddedPostgres } from './dist/src/database/embedded-postgres.js';
const s = await startEmbeddedPostgres({
  clusterDir: '/work/scale-full/postgres',
  passwordFile: '/work/scale-full/keys/pg-password',
  database: 'postgres_bench',
  postgresFlags: ['-c', 'shared_buffers=1GB', '-c', 'max_wal_size=8GB', '-c', 'shared_preload_libraries=pg_stat_statements'],
});
console.log(s.url);
process.on('SIGTERM', async () => { await s.stop(); process.exit(0); });
setInterval(() => {}, 1 << 30);
