import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ROLES, type Role } from '../src/access/roles.js';
import { Factories } from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * For random worlds of facilities, prisoners, users (roles and caseloads) and emergency grants:
 * the prisoner list returns exactly the prisoners that single reads allow, and the assessment
 * list exactly the assessments single reads allow, each in the view the single read gives.
 */
describe('property: lists return exactly what single reads allow', () => {
  let t: TestApp;
  let f: Factories;

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
  });
  afterAll(() => t.close());

  const world = fc.record({
    facilities: fc.integer({ min: 1, max: 3 }),
    prisoners: fc.array(fc.nat(2), { minLength: 1, maxLength: 7 }),
    users: fc.array(
      fc.record({
        // Administration is never combined with case roles (role separation), nor inspection
        // with anything (an inspector's facilities come from an appointment).
        roles: fc.oneof(
          fc.constant(['administrator']),
          fc.constant(['inspector']),
          fc.subarray(
            ROLES.filter((r) => r !== 'administrator' && r !== 'inspector'),
            { minLength: 1 },
          ),
        ),
        facilities: fc.subarray([0, 1, 2]),
        grants: fc.subarray([0, 1, 2, 3, 4, 5, 6]),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  });

  it('holds for random worlds', async () => {
    await fc.assert(
      fc.asyncProperty(world, async (w) => {
        const facilities = await Promise.all(
          Array.from({ length: w.facilities }, () => f.facility()),
        );
        const prisoners = await Promise.all(
          w.prisoners.map((i) => f.prisoner(facilities[i % facilities.length])),
        );
        const mine = new Set(prisoners.map((p) => p.id));
        // One assessment per prisoner, by a psychologist of every facility of this world.
        const assessor = await f.user(['psychologist'], facilities);
        const assessments = await Promise.all(
          prisoners.map((p, i) =>
            f.openAssessment(p, assessor, i % 2 ? 'submitted' : 'draft', 've-needs'),
          ),
        );
        const ours = new Set(assessments);
        for (const spec of w.users) {
          const scope = facilities.filter((_, i) => spec.facilities.includes(i));
          const user = (spec.roles as Role[]).includes('inspector')
            ? await f.inspector(scope)
            : await f.user(spec.roles as Role[], scope);
          for (const g of spec.grants) if (prisoners[g]) await f.grant(user, prisoners[g]);

          const readable = new Set<string>();
          for (const p of prisoners) {
            const res = await t.http
              .get(`/api/v1/prisoners/${p.id}`)
              .set('authorization', user.auth);
            expect([200, 403, 404]).toContain(res.status);
            if (res.status === 200) readable.add(p.id);
          }
          const listed = new Set<string>();
          let cursor: string | undefined;
          for (;;) {
            const res = await t.http
              .get('/api/v1/prisoners')
              .query(cursor ? { limit: 2, cursor } : { limit: 2 })
              .set('authorization', user.auth);
            if (res.status === 403) break;
            expect(res.status).toBe(200);
            for (const p of res.body.items as { id: string }[]) {
              expect(listed.has(p.id)).toBe(false);
              listed.add(p.id);
            }
            if (!res.body.nextCursor) break;
            cursor = res.body.nextCursor;
          }
          // Users only reach this world's facilities and prisoners, so nothing else may appear.
          expect([...listed].filter((id) => !mine.has(id))).toEqual([]);
          expect([...listed].sort()).toEqual([...readable].sort());

          const views = new Map<string, string>();
          for (const id of assessments) {
            const res = await t.http
              .get(`/api/v1/assessments/${id}`)
              .set('authorization', user.auth);
            expect([200, 403, 404]).toContain(res.status);
            if (res.status === 200) views.set(id, res.body.view);
          }
          const listedViews = new Map<string, string>();
          let next: string | undefined;
          for (;;) {
            const res: { status: number; body: { items: unknown[]; nextCursor: string | null } } =
              await t.http
                .get('/api/v1/assessments')
                .query(next ? { limit: 2, cursor: next } : { limit: 2 })
                .set('authorization', user.auth);
            if (res.status === 403) break;
            expect(res.status).toBe(200);
            for (const a of res.body.items as { id: string; view: string }[]) {
              expect(listedViews.has(a.id)).toBe(false);
              listedViews.set(a.id, a.view);
            }
            if (!res.body.nextCursor) break;
            next = res.body.nextCursor;
          }
          expect([...listedViews.keys()].filter((id) => !ours.has(id))).toEqual([]);
          expect([...listedViews].sort()).toEqual([...views].sort());
        }
      }),
      { numRuns: 25 },
    );
  });
});
