import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import type { Role } from '../access/roles.js';
import { AuditTrail, type AuditOrigin } from '../audit/audit-trail.service.js';
import { AppConfig } from '../config/app-config.js';
import { ensureKeyDir } from '../crypto/key-material.js';
import { InstrumentsService } from '../instruments/instruments.service.js';
import { hashPassword } from '../users/password-hasher.js';

export const DEMO_FACILITIES = [
  { code: 'DEMO-A', name: 'Demonstration facility A', region: 'Demo region' },
  { code: 'DEMO-B', name: 'Demonstration facility B', region: 'Demo region' },
];

export const DEMO_USERS: {
  username: string;
  displayName: string;
  roles: Role[];
  facilities: string[];
}[] = [
  {
    username: 'demo.admin',
    displayName: 'Demo Administrator',
    roles: ['administrator'],
    facilities: [],
  },
  {
    username: 'demo.psychologist',
    displayName: 'Demo Psychologist',
    roles: ['psychologist'],
    facilities: ['DEMO-A'],
  },
  {
    username: 'demo.psychologist2',
    displayName: 'Demo Psychologist (second)',
    roles: ['psychologist'],
    facilities: ['DEMO-A'],
  },
  {
    username: 'demo.pve',
    displayName: 'Demo PVE Inspector',
    roles: ['pve_inspector'],
    facilities: ['DEMO-A'],
  },
  {
    username: 'demo.security',
    displayName: 'Demo Security Officer',
    roles: ['security_officer'],
    facilities: ['DEMO-A'],
  },
  {
    username: 'demo.security.b',
    displayName: 'Demo Security Officer (B)',
    roles: ['security_officer'],
    facilities: ['DEMO-B'],
  },
  {
    username: 'demo.supervisor',
    displayName: 'Demo Supervisor',
    roles: ['supervisor'],
    facilities: ['DEMO-A', 'DEMO-B'],
  },
  // Scope comes from an appointment (seeded below), not from facilities of the account.
  {
    username: 'demo.inspector',
    displayName: 'Demo Inspector',
    roles: ['inspector'],
    facilities: [],
  },
];

/**
 * Fictional prisoners for trying the workflows (names are placeholders, not real people): a
 * remand prisoner (presumed innocent) and a 17-year-old show the derived flags.
 */
export const DEMO_PRISONERS = [
  {
    prisonNumber: 'DEMO-0001',
    givenName: 'Arman',
    familyName: 'Example',
    age: 34,
    sex: 'male',
    legalStatus: 'sentenced',
    facility: 'DEMO-A',
    releaseInYears: 3,
  },
  {
    prisonNumber: 'DEMO-0002',
    givenName: 'Dana',
    familyName: 'Sample',
    age: 27,
    sex: 'female',
    legalStatus: 'remand',
    facility: 'DEMO-A',
    releaseInYears: null,
  },
  {
    prisonNumber: 'DEMO-0003',
    givenName: 'Timur',
    familyName: 'Placeholder',
    age: 17,
    sex: 'male',
    legalStatus: 'sentenced',
    facility: 'DEMO-A',
    releaseInYears: 1,
  },
  {
    prisonNumber: 'DEMO-0101',
    givenName: 'Erlan',
    familyName: 'Fictional',
    age: 41,
    sex: 'male',
    legalStatus: 'sentenced',
    facility: 'DEMO-B',
    releaseInYears: 6,
  },
] as const;

/** Demo psychologists are certified for every instrument that asks for it, for two years. */
export const DEMO_CERTIFIED_USERS = DEMO_USERS.filter((u) => u.roles.includes('psychologist')).map(
  (u) => u.username,
);

const ORIGIN: AuditOrigin = { requestId: 'demo-seed', ip: 'local', purpose: 'demonstration data' };

/**
 * Demonstration facilities and one user per role, created once (only on the embedded default or
 * with SEED_DEMO=true). Every seeded row is audited like any other change.
 */
@Injectable()
export class DemoSeed {
  private readonly logger = new Logger(DemoSeed.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly audit: AuditTrail,
    private readonly instruments: InstrumentsService,
  ) {}

  async run(): Promise<void> {
    const [{ missing }]: { missing: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS missing FROM unnest($1::text[]) AS u(name)
       WHERE NOT EXISTS (SELECT 1 FROM app_user WHERE username = u.name)`,
      [DEMO_USERS.map((u) => u.username)],
    );
    if (missing > 0) {
      const password = this.demoPassword();
      const passwordHash = await hashPassword(password);
      await this.dataSource.transaction(async (m) => {
        await m.query(`SELECT pg_advisory_xact_lock(hashtext('demo-seed'))`);
        await this.seedFacilities(m);
        await this.seedUsers(m, passwordHash);
        await this.appointDemoInspector(m);
        await this.seedPrisoners(m);
      });
    }
    await this.certifyPsychologists();
  }

  private async seedPrisoners(m: EntityManager): Promise<void> {
    const [recorder]: { id: string }[] = await m.query(
      `SELECT id FROM app_user WHERE username = 'demo.security'`,
    );
    for (const p of DEMO_PRISONERS) {
      const rows: { id: string; facility_id: string }[] = await m.query(
        `INSERT INTO prisoner (prison_number, given_name, family_name, date_of_birth, sex, legal_status,
           facility_id, expected_release_date)
         SELECT $1, $2, $3, (current_date - make_interval(years => $4) - interval '40 days')::date, $5, $6, f.id,
           CASE WHEN $8::int IS NULL THEN NULL ELSE (current_date + make_interval(years => $8::int))::date END
         FROM facility f WHERE f.code = $7
         ON CONFLICT (prison_number) DO NOTHING RETURNING id, facility_id`,
        [
          p.prisonNumber,
          p.givenName,
          p.familyName,
          p.age,
          p.sex,
          p.legalStatus,
          p.facility,
          p.releaseInYears,
        ],
      );
      if (!rows[0]) continue;
      await m.query(
        `INSERT INTO prisoner_facility_history (prisoner_id, facility_id, reason, recorded_by)
         VALUES ($1, $2, 'admission', $3)`,
        [rows[0].id, rows[0].facility_id, recorder.id],
      );
      await this.audit.append(m, ORIGIN, [
        {
          action: 'prisoner.create',
          entityType: 'prisoner',
          entityId: rows[0].id,
          prisonerId: rows[0].id,
          facilityId: rows[0].facility_id,
          changedFields: [
            'prisonNumber',
            'givenName',
            'familyName',
            'dateOfBirth',
            'sex',
            'legalStatus',
            'facilityId',
          ],
        },
      ]);
    }
  }

  /** Runs at every demo start, so instruments imported later are covered too. Idempotent. */
  private async certifyPsychologists(): Promise<void> {
    const keys = await this.instruments.keysRequiringCertification();
    if (keys.length === 0) return;
    const missing = (m: EntityManager): Promise<{ user_id: string; key: string }[]> =>
      m.query(
        `SELECT u.id AS user_id, k.key FROM app_user u CROSS JOIN unnest($2::text[]) AS k(key)
         WHERE u.username = ANY($1::text[]) AND NOT EXISTS (
           SELECT 1 FROM certification c
           WHERE c.user_id = u.id AND c.instrument_key = k.key AND c.valid_until >= current_date)
         ORDER BY u.username, k.key`,
        [DEMO_CERTIFIED_USERS, keys],
      );
    if ((await missing(this.dataSource.manager)).length === 0) return;
    await this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('demo-seed'))`);
      for (const { user_id: userId, key } of await missing(m)) {
        const [{ id }]: { id: string }[] = await m.query(
          `INSERT INTO certification (user_id, instrument_key, valid_until)
           VALUES ($1, $2, current_date + interval '2 years') RETURNING id`,
          [userId, key],
        );
        await this.audit.append(m, ORIGIN, [
          {
            action: 'certification.grant',
            entityType: 'certification',
            entityId: id,
            changedFields: ['instrumentKey', 'validUntil'],
            details: { userId, instrumentKey: key },
          },
        ]);
      }
    });
    this.logger.log(
      { users: DEMO_CERTIFIED_USERS, instruments: keys },
      'demo certifications ready',
    );
  }

  private demoPassword(): string {
    if (this.config.env.DEMO_PASSWORD) return this.config.env.DEMO_PASSWORD;
    const file = join(this.config.env.DATA_DIR, 'keys', 'demo-password');
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
    const password = randomBytes(12).toString('base64url');
    ensureKeyDir(this.config.env.DATA_DIR);
    writeFileSync(file, password, { mode: 0o600 });
    // Printed once, on the console only (never in the JSON logs), for the person starting the demo.
    process.stdout.write(
      `\n  Demo users created. Password for every demo.* user: ${password}\n` +
        `  (kept in ${file}; set DEMO_PASSWORD to choose it)\n\n`,
    );
    return password;
  }

  private async seedFacilities(m: EntityManager): Promise<void> {
    for (const f of DEMO_FACILITIES) {
      const rows: { id: string }[] = await m.query(
        `INSERT INTO facility (code, name, region) VALUES ($1, $2, $3)
         ON CONFLICT (code) DO NOTHING RETURNING id`,
        [f.code, f.name, f.region],
      );
      if (rows[0]) {
        await this.audit.append(m, ORIGIN, [
          {
            action: 'facility.create',
            entityType: 'facility',
            entityId: rows[0].id,
            facilityId: rows[0].id,
            changedFields: ['code', 'name', 'region'],
          },
        ]);
      }
    }
  }

  /** The demo inspector inspects DEMO-A for a year from today (an internal inspection). */
  private async appointDemoInspector(m: EntityManager): Promise<void> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO inspector_appointment (user_id, body, mandate, kind, health_professional,
         starts_on, ends_on, created_by)
       SELECT i.id, 'Demo central inspectorate', 'Demonstration inspection of DEMO-A', 'internal',
         false, current_date, current_date + 365, a.id
       FROM app_user i, app_user a
       WHERE i.username = 'demo.inspector' AND a.username = 'demo.admin'
         AND NOT EXISTS (SELECT 1 FROM inspector_appointment x WHERE x.user_id = i.id)
       RETURNING id`,
    );
    if (!rows[0]) return;
    await m.query(
      `INSERT INTO inspector_appointment_facility (appointment_id, facility_id)
       SELECT $1, id FROM facility WHERE code = 'DEMO-A'`,
      [rows[0].id],
    );
    await this.audit.append(m, ORIGIN, [
      {
        action: 'inspector_appointment.create',
        entityType: 'inspector_appointment',
        entityId: rows[0].id,
        changedFields: ['userId', 'body', 'mandate', 'kind', 'facilityIds', 'startsOn', 'endsOn'],
      },
    ]);
  }

  private async seedUsers(m: EntityManager, passwordHash: string): Promise<void> {
    for (const u of DEMO_USERS) {
      const rows: { id: string }[] = await m.query(
        `INSERT INTO app_user (username, display_name, password_hash, roles) VALUES ($1, $2, $3, $4)
         ON CONFLICT (username) DO NOTHING RETURNING id`,
        [u.username, u.displayName, passwordHash, u.roles],
      );
      if (!rows[0]) continue;
      await m.query(
        `INSERT INTO user_facility (user_id, facility_id)
         SELECT $1, id FROM facility WHERE code = ANY($2::text[])`,
        [rows[0].id, u.facilities],
      );
      await this.audit.append(m, ORIGIN, [
        {
          action: 'user.create',
          entityType: 'user',
          entityId: rows[0].id,
          changedFields: ['username', 'displayName', 'password', 'roles', 'facilityIds'],
        },
      ]);
    }
    this.logger.log({ users: DEMO_USERS.length }, 'demo users ready');
  }
}
