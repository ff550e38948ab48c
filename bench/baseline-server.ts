import Fastify from 'fastify';
import pg from 'pg';

/**
 * The baseline of the prisoner-read scenario: bare Fastify and pg doing what the service's
 * `GET /prisoners/:id` must at least do: in one transaction, the same SELECT and one plain
 * audit INSERT (no authentication, abilities, hash chain or framework).
 */
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.POOL_SIZE ?? 10),
});
const app = Fastify({ logger: false });

app.get<{ Params: { id: string } }>('/prisoners/:id', async (request, reply) => {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(
      `SELECT p.id, p.prison_number, p.given_name, p.family_name,
         to_char(p.date_of_birth, 'YYYY-MM-DD') AS date_of_birth, p.sex, p.legal_status, p.facility_id,
         f.code AS facility_code, f.name AS facility_name,
         to_char(p.expected_release_date, 'YYYY-MM-DD') AS expected_release_date,
         p.version, p.created_at, p.updated_at,
         p.date_of_birth > current_date - interval '18 years' AS under18
       FROM prisoner p JOIN facility f ON f.id = p.facility_id WHERE p.id = $1`,
      [request.params.id],
    );
    await client.query(
      `INSERT INTO bench_baseline_audit (action, entity_id, request_id, ip) VALUES ($1, $2, $3, $4)`,
      ['prisoner.read', request.params.id, request.id, request.ip],
    );
    await client.query('COMMIT');
    if (rows.length === 0) return reply.code(404).send({ status: 404 });
    return rows[0];
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
});

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0)),
);
