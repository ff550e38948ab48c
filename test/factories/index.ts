import { randomBytes } from 'node:crypto';
import type { Role } from '../../src/access/roles.js';
import { TokenService } from '../../src/auth/token.service.js';
import { hashPassword } from '../../src/users/password-hasher.js';
import type { TestApp } from '../support/test-app.js';

export const TEST_PASSWORD = 'correct horse battery staple';
let passwordHash: Promise<string> | undefined;

const unique = (prefix: string) => `${prefix}${randomBytes(4).toString('hex')}`;

/**
 * The version a factory assessment uses: the last imported and, among versions imported together
 * (the shipped ones, at start-up), the first in version order (ve-risk-spj 1.0.0, ve-needs 1.0.0:
 * the versions these fixtures are written for), so the choice never depends on the order rows
 * come back in.
 */
const FACTORY_VERSION = `ORDER BY imported_at DESC,
  string_to_array(split_part(version, '-', 1), '.')::int[], version LIMIT 1`;

export interface TestFacility {
  id: string;
  code: string;
  name: string;
}

export interface TestPrisonerFields {
  prisonNumber: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  sex: 'female' | 'male' | 'other';
  legalStatus: 'remand' | 'sentenced';
}

export interface TestPrisoner extends TestPrisonerFields {
  id: string;
  facilityId: string;
}

export interface TestUser {
  id: string;
  username: string;
  roles: Role[];
  facilityIds: string[];
  token: string;
  /** `Authorization` header value. */
  auth: string;
}

/** Rows with sensible defaults, written straight to this file's database. */
export class Factories {
  constructor(private readonly t: TestApp) {}

  async facility(overrides: Partial<Omit<TestFacility, 'id'>> = {}): Promise<TestFacility> {
    const code = overrides.code ?? unique('F-').toUpperCase();
    const name = overrides.name ?? `Facility ${code}`;
    const [{ id }] = await this.t.db.query(
      `INSERT INTO facility (code, name) VALUES ($1, $2) RETURNING id`,
      [code, name],
    );
    return { id, code, name };
  }

  /** A user with a live session and its token (no password check: that is the login test's job). */
  async user(
    roles: Role[],
    facilities: TestFacility[] = [],
    options: { username?: string; active?: boolean } = {},
  ): Promise<TestUser> {
    passwordHash ??= hashPassword(TEST_PASSWORD);
    const username = options.username ?? unique('user.');
    const [{ id }] = await this.t.db.query(
      `INSERT INTO app_user (username, display_name, password_hash, roles, active) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [username, `Test ${username}`, await passwordHash, roles, options.active ?? true],
    );
    for (const f of facilities) {
      await this.t.db.query(`INSERT INTO user_facility (user_id, facility_id) VALUES ($1, $2)`, [
        id,
        f.id,
      ]);
    }
    const token = await this.session(id);
    return {
      id,
      username,
      roles,
      facilityIds: facilities.map((f) => f.id),
      token,
      auth: `Bearer ${token}`,
    };
  }

  /**
   * An inspector (an account with that role only) appointed to `facilities`, by default from
   * yesterday to a month ahead; no user_facility rows: scope comes from the appointment.
   */
  async inspector(
    facilities: TestFacility[],
    options: { healthProfessional?: boolean; startsOn?: string; endsOn?: string } = {},
  ): Promise<TestUser & { appointmentId: string }> {
    const user = await this.user(['inspector']);
    const [{ id }] = await this.t.db.query(
      `INSERT INTO inspector_appointment (user_id, body, mandate, kind, health_professional,
         starts_on, ends_on, created_by)
       VALUES ($1, 'Test inspectorate', 'Test mandate', 'external', $2,
         COALESCE($3::date, current_date - 1), COALESCE($4::date, current_date + 30), $1)
       RETURNING id`,
      [
        user.id,
        options.healthProfessional ?? false,
        options.startsOn ?? null,
        options.endsOn ?? null,
      ],
    );
    for (const f of facilities)
      await this.t.db.query(
        `INSERT INTO inspector_appointment_facility (appointment_id, facility_id) VALUES ($1, $2)`,
        [id, f.id],
      );
    return { ...user, facilityIds: facilities.map((f) => f.id), appointmentId: id };
  }

  /** A restrictive measure written straight to the database (solitary, from `daysAgo` days ago). */
  async measure(
    prisoner: TestPrisoner,
    recordedBy: TestUser,
    options: { type?: string; daysAgo?: number } = {},
  ): Promise<string> {
    const [{ id }] = await this.t.db.query(
      `INSERT INTO restrictive_measure (prisoner_id, facility_id, type, legal_basis, reason,
         authorised_by_name, authorised_by_position, starts_on, family_contact, next_review_on,
         recorded_by)
       VALUES ($1, $2, $3, 'Test legal basis', 'Test reason', 'Test Officer', 'Director',
         current_date - $4::int, 'unrestricted', current_date + 7, $5)
       RETURNING id`,
      [
        prisoner.id,
        prisoner.facilityId,
        options.type ?? 'solitary_confinement',
        options.daysAgo ?? 0,
        recordedBy.id,
      ],
    );
    return id;
  }

  async session(userId: string): Promise<string> {
    const [{ id: sessionId }] = await this.t.db.query(
      `INSERT INTO user_session (user_id, expires_at) VALUES ($1, now() + interval '1 hour') RETURNING id`,
      [userId],
    );
    return this.t.app.get(TokenService).sign({ userId, sessionId });
  }

  /** A prisoner held in `facility` (written directly; the API path has its own tests). */
  async prisoner(
    facility: TestFacility,
    overrides: Partial<TestPrisonerFields> = {},
  ): Promise<TestPrisoner> {
    const fields: TestPrisonerFields = {
      prisonNumber: overrides.prisonNumber ?? unique('P-').toUpperCase(),
      givenName: overrides.givenName ?? 'Test',
      familyName: overrides.familyName ?? unique('Person'),
      dateOfBirth: overrides.dateOfBirth ?? '1990-01-01',
      sex: overrides.sex ?? 'male',
      legalStatus: overrides.legalStatus ?? 'sentenced',
    };
    const [{ id }] = await this.t.db.query(
      `INSERT INTO prisoner (prison_number, given_name, family_name, date_of_birth, sex, legal_status, facility_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        fields.prisonNumber,
        fields.givenName,
        fields.familyName,
        fields.dateOfBirth,
        fields.sex,
        fields.legalStatus,
        facility.id,
      ],
    );
    await this.t.db.query(
      `INSERT INTO prisoner_facility_history (prisoner_id, facility_id, reason, recorded_by)
       SELECT $1, $2, 'admission', id FROM app_user ORDER BY created_at LIMIT 1`,
      [id, facility.id],
    );
    return { id, facilityId: facility.id, ...fields };
  }

  /** A live emergency-access grant for `user` on `prisoner`. */
  async grant(user: TestUser, prisoner: TestPrisoner): Promise<string> {
    const [{ id }] = await this.t.db.query(
      `INSERT INTO emergency_access (user_id, prisoner_id, facility_id, reason, expires_at)
       VALUES ($1, $2, $3, 'Test grant: urgent information needed for safety', now() + interval '4 hours') RETURNING id`,
      [user.id, prisoner.id, prisoner.facilityId],
    );
    return id;
  }

  /**
   * An approved assessment written straight to the database (the workflow has its own tests):
   * for features that start from one, such as plans.
   */
  async approvedAssessment(
    prisoner: TestPrisoner,
    assessor: TestUser,
    countersigner: TestUser,
    options: {
      instrumentKey?: string;
      /** The version to pin; the factory's default version otherwise. */
      instrumentVersion?: string;
      finalRiskLevel?: string | null;
      needs?: { code: string; priority: 'high' | 'medium' | 'low' }[];
      approvedAt?: string;
    } = {},
  ): Promise<string> {
    const key = options.instrumentKey ?? 've-needs';
    const [instrument] = await this.t.db.query(
      `SELECT id, content->'review' AS review FROM instrument_version
       WHERE key = $1 AND ($2::text IS NULL OR version = $2) ${FACTORY_VERSION}`,
      [key, options.instrumentVersion ?? null],
    );
    if (!instrument) throw new Error(`instrument ${key} is not imported`);
    const [{ id }] = await this.t.db.query(
      `INSERT INTO assessment (prisoner_id, instrument_version_id, status, reason, assessor_id, countersigner_id,
         needs, final_risk_level, final_rationale, approved_at, submitted_at, next_review_due)
       VALUES ($1, $2, 'approved', 'intake', $3, $4, $5, $6, NULL, $7, $7, ($7::timestamptz + interval '6 months')::date)
       RETURNING id`,
      [
        prisoner.id,
        instrument.id,
        assessor.id,
        countersigner.id,
        JSON.stringify(options.needs ?? []),
        options.finalRiskLevel ?? (key === 've-needs' ? null : 'moderate'),
        options.approvedAt ?? new Date().toISOString(),
      ],
    );
    return id;
  }

  /** A draft or submitted assessment written straight to the database. */
  async openAssessment(
    prisoner: TestPrisoner,
    assessor: TestUser,
    status: 'draft' | 'submitted' = 'draft',
    instrumentKey = 've-needs',
  ): Promise<string> {
    const [{ id }] = await this.t.db.query(
      `INSERT INTO assessment (prisoner_id, instrument_version_id, status, reason, assessor_id, submitted_at)
       SELECT $1, iv.id, $3, 'intake', $2, CASE WHEN $3 = 'submitted' THEN now() END
       FROM instrument_version iv WHERE iv.key = $4 ${FACTORY_VERSION}
       RETURNING id`,
      [prisoner.id, assessor.id, status, instrumentKey],
    );
    return id;
  }

  async certify(userId: string, instrumentKey: string, validUntil = '2099-12-31'): Promise<void> {
    await this.t.db.query(
      `INSERT INTO certification (user_id, instrument_key, valid_until) VALUES ($1, $2, $3)`,
      [userId, instrumentKey, validUntil],
    );
  }
}
