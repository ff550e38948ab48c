import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Role } from '../src/access/roles.js';
import {
  Factories,
  type TestFacility,
  type TestPrisoner,
  type TestUser,
} from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * The access matrix, written by hand from DESIGN.md ("Roles and scope") and independently of
 * the ability factory. Each cell: the status for a prisoner in the caller's facility / outside
 * it / outside it but opened by the caller's emergency grant. `listed` / `absent`: whether the
 * prisoner appears in the caller's list. `-`: not applicable.
 */
const ROLES: Role[] = [
  'psychologist',
  'pve_inspector',
  'security_officer',
  'supervisor',
  'administrator',
];
// prettier-ignore
const MATRIX: Record<string, [string, string, string, string, string]> = {
  //                                       psychologist          pve_inspector         security_officer      supervisor            administrator
  'GET /prisoners/:id':                  ['200/404/200',        '200/404/200',        '200/404/200',        '200/404/200',        '403/403/403'],
  'GET /prisoners':                      ['listed/absent/listed','listed/absent/listed','listed/absent/listed','listed/absent/listed','403/403/403'],
  'POST /prisoners':                     ['403/403/-',          '403/403/-',          '201/403/-',          '403/403/-',          '403/403/-'],
  'PATCH /prisoners/:id':                ['403/403/403',        '403/403/403',        '200/404/403',        '403/403/403',        '403/403/403'],
  'POST /prisoners/:id/transfer':        ['403/403/403',        '403/403/403',        '200/404/403',        '403/403/403',        '403/403/403'],
  'POST /prisoners/:id/discharge':       ['403/403/403',        '403/403/403',        '403/403/403',        '200/404/403',        '403/403/403'],
  'POST /prisoners/:id/readmit':         ['403/403/403',        '403/403/403',        '403/403/403',        '200/404/403',        '403/403/403'],
  'POST /prisoners/:id/emergency-access':['409/201/409',        '409/201/409',        '409/201/409',        '409/201/409',        '403/403/403'],
  'GET /emergency-access':               ['403/-/-',            '403/-/-',            '403/-/-',            '200/-/-',            '403/-/-'],
  'POST /emergency-access/:id/review':   ['403/403/-',          '403/403/-',          '403/403/-',          '200/404/-',          '403/403/-'],
  'POST /emergency-access/:id/revoke':   ['403/403/-',          '403/403/-',          '403/403/-',          '200/404/-',          '403/403/-'],
  'GET /audit/events':                   ['403/-/-',            '403/-/-',            '403/-/-',            '200/-/-',            '403/-/-'],
  'GET /audit/events/export':            ['403/-/-',            '403/-/-',            '403/-/-',            '200/-/-',            '403/-/-'],
  'GET /audit/verify':                   ['403/-/-',            '403/-/-',            '403/-/-',            '200/-/-',            '403/-/-'],
  'GET /users':                          ['403/-/-',            '403/-/-',            '403/-/-',            '403/-/-',            '200/-/-'],
  'POST /users':                         ['403/-/-',            '403/-/-',            '403/-/-',            '403/-/-',            '201/-/-'],
  'PATCH /users/:id':                    ['403/-/-',            '403/-/-',            '403/-/-',            '403/-/-',            '200/-/-'],
  'POST /users/:id/certifications':      ['403/-/-',            '403/-/-',            '403/-/-',            '403/-/-',            '201/-/-'],
  'GET /facilities':                     ['403/-/-',            '403/-/-',            '403/-/-',            '403/-/-',            '200/-/-'],
  'POST /facilities':                    ['403/-/-',            '403/-/-',            '403/-/-',            '403/-/-',            '201/-/-'],
  'POST /prisoners/:id/plans':           ['403/403/403',        '201/404/403',        '403/403/403',        '403/403/403',        '403/403/403'],
  'GET /prisoners/:id/plans':            ['200/404/200',        '200/404/200',        '200/404/200',        '200/404/200',        '403/403/403'],
  'GET /plans/:id':                      ['full/404/full',      'full/404/full',      'logistics/404/logistics','full/404/full',  '403/403/403'],
  'PATCH /plans/:id':                    ['403/404/403',        '200/404/403',        '403/403/403',        '403/403/403',        '403/403/403'],
  'PATCH /plans/:id (psychological)':    ['200/404/403',        '200/404/403',        '403/403/403',        '403/403/403',        '403/403/403'],
  'POST /plans/:id/submit':              ['403/403/403',        '200/404/403',        '403/403/403',        '403/403/403',        '403/403/403'],
  'POST /plans/:id/activate':            ['403/403/403',        '403/403/403',        '403/403/403',        '200/404/403',        '403/403/403'],
  'POST /plans/:id/return':              ['403/403/403',        '403/403/403',        '403/403/403',        '200/404/403',        '403/403/403'],
  'POST /plans/:id/suspend':             ['403/403/403',        '200/404/403',        '403/403/403',        '200/404/403',        '403/403/403'],
  'POST /plans/:id/complete':            ['403/403/403',        '200/404/403',        '403/403/403',        '403/403/403',        '403/403/403'],
  'POST /plans/:id/close':               ['403/403/403',        '200/404/403',        '403/403/403',        '200/404/403',        '403/403/403'],
  'GET /plans/:id/revisions':            ['200/404/200',        '200/404/200',        '200/404/200',        '200/404/200',        '403/403/403'],
  'GET /plans/:id/revisions/:revision':  ['full/404/full',      'full/404/full',      'logistics/404/logistics','full/404/full',  '403/403/403'],
  'POST /plans/:id/sessions':            ['403/404/403',        '201/404/403',        '403/403/403',        '403/403/403',        '403/403/403'],
  'POST /plans/:id/sessions (psychological)':['201/404/403',    '201/404/403',        '403/403/403',        '403/403/403',        '403/403/403'],
  'GET /plans/:id/sessions':             ['200/404/200',        '200/404/200',        '200/404/200',        '200/404/200',        '403/403/403'],
  'POST /plans/:id/reviews':             ['403/403/403',        '201/404/403',        '403/403/403',        '403/403/403',        '403/403/403'],
  'PATCH /plans/:id/pending-revision (own)':['200/404/403',     '200/404/403',        '403/403/403',        '403/403/403',        '403/403/403'],
  'PATCH /plans/:id/pending-revision (another’s)':['403/404/403','403/404/403',       '403/403/403',        '403/403/403',        '403/403/403'],
  'POST /plans/:id/pending-revision/submit':['403/403/403',     '200/404/403',        '403/403/403',        '403/403/403',        '403/403/403'],
  'POST /plans/:id/pending-revision/approve':['403/403/403',    '403/403/403',        '403/403/403',        '200/404/403',        '403/403/403'],
  'POST /plans/:id/pending-revision/return':['403/403/403',     '403/403/403',        '403/403/403',        '200/404/403',        '403/403/403'],
  'POST /plans/:id/pending-revision/withdraw':['403/404/403',   '200/404/403',        '403/404/403',        '200/404/403',        '403/403/403'],
  'GET /plans/:id/reviews':              ['200/404/200',        '200/404/200',        '403/404/403',        '200/404/200',        '403/403/403'],
  'GET /instruments':                    ['200/-/-',            '200/-/-',            '200/-/-',            '200/-/-',            '200/-/-'],
  'GET /instruments/:key/versions/:version':['200/-/-',         '200/-/-',            '200/-/-',            '200/-/-',            '200/-/-'],
  'GET /instruments/:key/diff':          ['200/-/-',            '200/-/-',            '200/-/-',            '200/-/-',            '200/-/-'],
  'POST /prisoners/:id/assessments':     ['201/404/403',        '403/403/403',        '403/403/403',        '403/403/403',        '403/403/403'],
  'GET /prisoners/:id/assessments':      ['200/404/200',        '200/404/200',        '200/404/200',        '200/404/200',        '403/403/403'],
  'GET /prisoners/:id/risk-timeline':    ['200/404/200',        '200/404/200',        '200/404/200',        '200/404/200',        '403/403/403'],
  'GET /assessments':                    ['listed/absent/listed','listed/absent/listed','listed/absent/listed','listed/absent/listed','403/403/403'],
  'GET /assessments?awaitingMyCountersignature':['listed/absent/absent','absent/absent/absent','absent/absent/absent','absent/absent/absent','403/403/403'],
  'GET /assessments/:id':                ['full/404/full',      'programme/404/programme','security/404/security','programme/404/programme','403/403/403'],
  'PATCH /assessments/:id (own)':        ['200/-/-',            '403/-/-',            '403/-/-',            '403/-/-',            '403/-/-'],
  'PATCH /assessments/:id (another’s)':  ['403/404/403',        '403/403/403',        '403/403/403',        '403/403/403',        '403/403/403'],
  'POST /assessments/:id/submit':        ['403/404/403',        '403/403/403',        '403/403/403',        '403/403/403',        '403/403/403'],
  'POST /assessments/:id/countersign':   ['200/404/403',        '403/403/403',        '403/403/403',        '403/403/403',        '403/403/403'],
  'POST /assessments/:id/amend':         ['201/404/403',        '403/403/403',        '403/403/403',        '403/403/403',        '403/403/403'],
  'POST /assessments/:id/trigger-reviews':['201/404/403',        '403/403/403',        '403/403/403',        '403/403/403',        '403/403/403'],
  'POST /assessments/:id/cancel':        ['403/404/403',        '403/403/403',        '403/403/403',        '403/403/403',        '403/403/403'],
  'POST /assessments/:id/contributions':['201/404/403',        '201/404/403',        '201/404/403',        '403/403/403',        '403/403/403'],
  'GET /assessments/:id/contributions':  ['200/404/403',        '200/404/403',        '200/404/403',        '200/404/403',        '403/403/403'],
  'POST /assessments/:id/countersign-assignments':['403/403/403','403/403/403',       '403/403/403',        '201/404/403',        '403/403/403'],
  'GET /assessments/:id/countersign-assignments':['403/403/403', '403/403/403',       '403/403/403',        '200/404/403',        '403/403/403'],
  'POST /countersign-assignments/:id/revoke':['403/403/403',     '403/403/403',        '403/403/403',        '200/404/404',        '403/403/403'],
  'GET /assessments/:id/rating-sets':    ['200/404/200',        '403/404/403',        '403/404/403',        '403/404/403',        '403/403/403'],
  'PATCH /assessments/:id/rating-sets/mine (another’s)':['403/404/403','403/404/403', '403/404/403',        '403/404/403',        '403/403/403'],
  'POST /assessments/:id/rating-sets/mine/submit (another’s)':['403/404/403','403/404/403','403/404/403',  '403/404/403',        '403/403/403'],
  'POST /assessments/:id/consensus (another’s)':['403/404/403', '403/403/403',        '403/403/403',        '403/403/403',        '403/403/403'],
  'POST /prisoners/:id/events':          ['201/404/403',        '201/404/403',        '201/404/403',        '403/403/403',        '403/403/403'],
  'GET /prisoners/:id/events':           ['200/404/200',        '200/404/200',        '200/404/200',        '200/404/200',        '403/403/403'],
  'GET /reviews/due':                    ['listed/absent/listed','listed/absent/listed','listed/absent/listed','listed/absent/listed','403/403/403'],
  'GET /training/cases':                 ['200/-/-',            '200/-/-',            '200/-/-',            '403/-/-',            '403/-/-'],
  'GET /training/cases/:id':             ['200/-/-',            '200/-/-',            '200/-/-',            '403/-/-',            '403/-/-'],
  'POST /training/cases/:id/attempts':   ['201/-/-',            '201/-/-',            '201/-/-',            '403/-/-',            '403/-/-'],
  'GET /training/attempts/:id (own)':    ['200/-/-',            '200/-/-',            '200/-/-',            '-/-/-',              '-/-/-'],
  'GET /training/attempts/:id (another’s)':['404/-/-',          '404/-/-',            '404/-/-',            '403/-/-',            '403/-/-'],
  'PATCH /training/attempts/:id (own)':  ['200/-/-',            '200/-/-',            '200/-/-',            '-/-/-',              '-/-/-'],
  'PATCH /training/attempts/:id (another’s)':['404/-/-',        '404/-/-',            '404/-/-',            '403/-/-',            '403/-/-'],
  'POST /training/attempts/:id/submit (own, incomplete)':['422/-/-','422/-/-',        '422/-/-',            '-/-/-',              '-/-/-'],
  'POST /training/attempts/:id/submit (another’s)':['404/-/-',  '404/-/-',            '404/-/-',            '403/-/-',            '403/-/-'],
  'GET /training/progress':              ['200/-/-',            '200/-/-',            '200/-/-',            '403/-/-',            '403/-/-'],
  'GET /training/overview':              ['403/-/-',            '403/-/-',            '403/-/-',            '200/-/-',            '403/-/-'],
  'POST /prisoners/:id/subject-access-requests':['403/403/403','403/403/403',     '403/403/403',        '201/404/403',        '403/403/403'],
  'GET /subject-access-requests':        ['403/403/403',        '403/403/403',        '403/403/403',        'listed/absent/absent','403/403/403'],
  'GET /subject-access-requests/:id':    ['403/403/403',        '403/403/403',        '403/403/403',        '200/404/404',        '403/403/403'],
  'GET /subject-access-requests/:id/contents':['403/403/403',   '403/403/403',        '403/403/403',        '200/404/404',        '403/403/403'],
  'POST /subject-access-requests/:id/redactions':['403/403/403','403/403/403',        '403/403/403',        '201/404/404',        '403/403/403'],
  'POST /subject-access-requests/:id/redactions/:redactionId/withdraw':['403/403/403','403/403/403','403/403/403','200/404/404','403/403/403'],
  'POST /subject-access-requests/:id/release':['403/403/403',   '403/403/403',        '403/403/403',        '200/404/404',        '403/403/403'],
  'GET /subject-access-requests/:id/bundle':['403/403/403',     '403/403/403',        '403/403/403',        '200/404/404',        '403/403/403'],
  'POST /prisoners/:id/disclosures':     ['403/403/403',        '403/403/403',        '403/403/403',        '201/404/403',        '403/403/403'],
  'GET /prisoners/:id/disclosures':      ['403/403/403',        '403/403/403',        '403/403/403',        '200/404/403',        '403/403/403'],
  'GET /disclosures':                    ['403/403/403',        '403/403/403',        '403/403/403',        'listed/absent/absent','403/403/403'],
  'POST /prisoners/:id/challenges':      ['201/404/403',        '201/404/403',        '201/404/403',        '201/404/403',        '403/403/403'],
  'GET /prisoners/:id/challenges':       ['200/404/200',        '200/404/200',        '200/404/200',        '200/404/200',        '403/403/403'],
  'GET /challenges':                     ['listed/absent/listed','listed/absent/listed','listed/absent/listed','listed/absent/listed','403/403/403'],
  'GET /challenges/:id':                 ['full/404/full',      'summary/404/summary','summary/404/summary','full/404/full',      '403/403/403'],
  'POST /challenges/:id/answer':         ['200/404/403',        '403/403/403',        '403/403/403',        '200/404/403',        '403/403/403'],
  'POST /challenges/:id/escalations':    ['201/404/403',        '201/404/403',        '201/404/403',        '201/404/403',        '403/403/403'],
  'POST /challenges/:id/escalations/:escalationId/decision':['200/404/403','403/403/403','403/403/403',  '200/404/403',        '403/403/403'],
  'POST /prisoners/:id/complaints':      ['201/404/403',        '201/404/403',        '201/404/403',        '201/404/403',        '403/403/403'],
  'GET /prisoners/:id/complaint-staff':  ['200/404/403',        '200/404/403',        '200/404/403',        '200/404/403',        '403/403/403'],
  'GET /prisoners/:id/complaints':       ['200/404/200',        '200/404/200',        '200/404/200',        '200/404/200',        '403/403/403'],
  'GET /complaints':                     ['listed/absent/listed','listed/absent/listed','listed/absent/listed','listed/absent/listed','403/403/403'],
  'GET /complaints/:id':                 ['summary/404/summary','summary/404/summary','summary/404/summary','full/404/full',      '403/403/403'],
  'POST /complaints/:id/answer':         ['403/403/403',        '403/403/403',        '403/403/403',        '200/404/403',        '403/403/403'],
  'POST /complaints/:id/referrals':      ['403/403/403',        '403/403/403',        '403/403/403',        '201/404/403',        '403/403/403'],
  'POST /inspector-appointments':        ['403/-/-',            '403/-/-',            '403/-/-',            '403/-/-',            '201/-/-'],
  'GET /inspector-appointments':         ['403/-/-',            '403/-/-',            '403/-/-',            '403/-/-',            '200/-/-'],
  'GET /inspector-appointments/:id':     ['403/-/-',            '403/-/-',            '403/-/-',            '403/-/-',            '200/-/-'],
  'POST /inspector-appointments/:id/end':['403/-/-',            '403/-/-',            '403/-/-',            '403/-/-',            '200/-/-'],
  'GET /statistics':                     ['403/403/-',          '403/403/-',          '403/403/-',          '200/404/-',          '403/403/-'],
  'GET /statistics/export':              ['403/403/-',          '403/403/-',          '403/403/-',          '200/404/-',          '403/403/-'],
  'POST /prisoners/:id/restrictive-measures':['403/403/403',    '403/403/403',        '201/404/403',        '403/403/403',        '403/403/403'],
  'GET /prisoners/:id/restrictive-measures':['200/404/200',     '403/403/403',        '200/404/200',        '200/404/200',        '403/403/403'],
  'GET /restrictive-measures/:id':       ['200/404/200',        '403/403/403',        '200/404/200',        '200/404/200',        '403/403/403'],
  'GET /restrictive-measures/alerts':    ['listed/absent/listed','403/403/403',       'listed/absent/listed','listed/absent/listed','403/403/403'],
  'POST /restrictive-measures/:id/days': ['403/403/403',        '403/403/403',        '200/404/403',        '403/403/403',        '403/403/403'],
  'POST /restrictive-measures/:id/reviews':['403/403/403',      '403/403/403',        '200/404/403',        '403/403/403',        '403/403/403'],
  'POST /restrictive-measures/:id/end':  ['403/403/403',        '403/403/403',        '200/404/403',        '403/403/403',        '403/403/403'],
  'POST /restrictive-measures/:id/health-objections':['200/404/403','403/403/403', '403/403/403',        '403/403/403',        '403/403/403'],
};

/**
 * The inspector's column (Mandela Rules 83-85), apart from MATRIX so that rows added there merge
 * cleanly: appointed to the home facility, the programme view of assessments, read only; an
 * emergency grant opens nothing for them (the third cell). Every row of MATRIX needs one here.
 */
// prettier-ignore
const INSPECTOR: Record<string, string> = {
  'GET /prisoners/:id': '200/404/404',
  'GET /prisoners': 'listed/absent/absent',
  'POST /prisoners': '403/403/-',
  'PATCH /prisoners/:id': '403/403/403',
  'POST /prisoners/:id/transfer': '403/403/403',
  'POST /prisoners/:id/discharge': '403/403/403',
  'POST /prisoners/:id/readmit': '403/403/403',
  'POST /prisoners/:id/emergency-access': '403/403/403',
  'GET /emergency-access': '403/-/-',
  'POST /emergency-access/:id/review': '403/403/-',
  'POST /emergency-access/:id/revoke': '403/403/-',
  'GET /audit/events': '200/-/-',
  'GET /audit/events/export': '200/-/-',
  'GET /audit/verify': '200/-/-',
  'GET /users': '403/-/-',
  'POST /users': '403/-/-',
  'PATCH /users/:id': '403/-/-',
  'POST /users/:id/certifications': '403/-/-',
  'GET /facilities': '403/-/-',
  'POST /facilities': '403/-/-',
  'POST /prisoners/:id/plans': '403/403/403',
  'GET /prisoners/:id/plans': '200/404/404',
  'GET /plans/:id': 'full/404/404',
  'PATCH /plans/:id': '403/403/403',
  'PATCH /plans/:id (psychological)': '403/403/403',
  'POST /plans/:id/submit': '403/403/403',
  'POST /plans/:id/activate': '403/403/403',
  'POST /plans/:id/return': '403/403/403',
  'POST /plans/:id/suspend': '403/403/403',
  'POST /plans/:id/complete': '403/403/403',
  'POST /plans/:id/close': '403/403/403',
  'GET /plans/:id/revisions': '200/404/404',
  'GET /plans/:id/revisions/:revision': 'full/404/404',
  'POST /plans/:id/sessions': '403/403/403',
  'POST /plans/:id/sessions (psychological)': '403/403/403',
  'GET /plans/:id/sessions': '200/404/404',
  'POST /plans/:id/reviews': '403/403/403',
  'PATCH /plans/:id/pending-revision (own)': '403/403/403',
  'PATCH /plans/:id/pending-revision (another’s)': '403/403/403',
  'POST /plans/:id/pending-revision/submit': '403/403/403',
  'POST /plans/:id/pending-revision/approve': '403/403/403',
  'POST /plans/:id/pending-revision/return': '403/403/403',
  'POST /plans/:id/pending-revision/withdraw': '403/404/404',
  'GET /plans/:id/reviews': '200/404/404',
  'GET /instruments': '200/-/-',
  'GET /instruments/:key/versions/:version': '200/-/-',
  'GET /instruments/:key/diff': '200/-/-',
  'POST /prisoners/:id/assessments': '403/403/403',
  'GET /prisoners/:id/assessments': '200/404/404',
  'GET /prisoners/:id/risk-timeline': '200/404/404',
  'GET /assessments': 'listed/absent/absent',
  'GET /assessments?awaitingMyCountersignature': 'absent/absent/absent',
  'GET /assessments/:id': 'programme/404/404',
  'PATCH /assessments/:id (own)': '403/-/-',
  'PATCH /assessments/:id (another’s)': '403/403/403',
  'POST /assessments/:id/submit': '403/403/403',
  'POST /assessments/:id/countersign': '403/403/403',
  'POST /assessments/:id/amend': '403/403/403',
  'POST /assessments/:id/cancel': '403/403/403',
  'POST /assessments/:id/trigger-reviews': '403/403/403',
  'POST /assessments/:id/contributions': '403/403/403',
  'GET /assessments/:id/contributions': '403/403/403',
  'POST /assessments/:id/countersign-assignments': '403/403/403',
  'GET /assessments/:id/countersign-assignments': '403/403/403',
  'POST /countersign-assignments/:id/revoke': '403/403/403',
  'GET /assessments/:id/rating-sets': '403/404/404',
  'PATCH /assessments/:id/rating-sets/mine (another’s)': '403/403/403',
  'POST /assessments/:id/rating-sets/mine/submit (another’s)': '403/403/403',
  'POST /assessments/:id/consensus (another’s)': '403/403/403',
  'POST /prisoners/:id/events': '403/403/403',
  'GET /prisoners/:id/events': '200/404/404',
  'GET /reviews/due': 'listed/absent/absent',
  'POST /inspector-appointments': '403/-/-',
  'GET /inspector-appointments': '403/-/-',
  'GET /inspector-appointments/:id': '403/-/-',
  'POST /inspector-appointments/:id/end': '403/-/-',
  'GET /statistics': '200/404/-',
  'GET /statistics/export': '200/404/-',
  'POST /prisoners/:id/restrictive-measures': '403/403/403',
  'GET /prisoners/:id/restrictive-measures': '200/404/404',
  'GET /restrictive-measures/:id': '200/404/404',
  'GET /restrictive-measures/alerts': 'listed/absent/absent',
  'POST /restrictive-measures/:id/days': '403/403/403',
  'POST /restrictive-measures/:id/health-objections': '403/403/403',
  'POST /restrictive-measures/:id/reviews': '403/403/403',
  'POST /restrictive-measures/:id/end': '403/403/403',
  'GET /training/cases': '403/-/-',
  'GET /training/cases/:id': '403/-/-',
  'POST /training/cases/:id/attempts': '403/-/-',
  'GET /training/attempts/:id (own)': '-/-/-',
  'GET /training/attempts/:id (another’s)': '403/-/-',
  'PATCH /training/attempts/:id (own)': '-/-/-',
  'PATCH /training/attempts/:id (another’s)': '403/-/-',
  'POST /training/attempts/:id/submit (own, incomplete)': '-/-/-',
  'POST /training/attempts/:id/submit (another’s)': '403/-/-',
  'GET /training/progress': '403/-/-',
  'GET /training/overview': '403/-/-',
  'POST /prisoners/:id/subject-access-requests': '403/403/403',
  'GET /subject-access-requests': '403/403/403',
  'GET /subject-access-requests/:id': '403/403/403',
  'GET /subject-access-requests/:id/contents': '403/403/403',
  'POST /subject-access-requests/:id/redactions': '403/403/403',
  'POST /subject-access-requests/:id/redactions/:redactionId/withdraw': '403/403/403',
  'POST /subject-access-requests/:id/release': '403/403/403',
  'GET /subject-access-requests/:id/bundle': '403/403/403',
  'POST /prisoners/:id/disclosures': '403/403/403',
  'GET /prisoners/:id/disclosures': '200/404/404',
  'GET /disclosures': 'listed/absent/absent',
  'POST /prisoners/:id/challenges': '403/403/403',
  'GET /prisoners/:id/challenges': '200/404/404',
  'GET /challenges': 'listed/absent/absent',
  'GET /challenges/:id': 'summary/404/404',
  'POST /challenges/:id/answer': '403/403/403',
  'POST /challenges/:id/escalations': '403/403/403',
  'POST /challenges/:id/escalations/:escalationId/decision': '403/403/403',
  // Complaints made to them in an inspection are their one write (confidential, their own to
  // handle): in scope the matrix has the inspector record one, answer and refer it.
  'POST /prisoners/:id/complaints': '201/404/404',
  'GET /prisoners/:id/complaint-staff': '200/404/404',
  'GET /prisoners/:id/complaints': '200/404/404',
  'GET /complaints': 'listed/absent/absent',
  'GET /complaints/:id': 'full/404/404',
  'POST /complaints/:id/answer': '200/404/404',
  'POST /complaints/:id/referrals': '201/404/404',
};

const ESCALATION = {
  authority: 'ombudsman',
  authorityName: 'Matrix ombudsman',
  referredOn: '2025-02-01',
};
const DISCLOSURE = {
  recipientType: 'probation',
  recipient: 'Regional probation',
  lawfulBasis: 'Matrix basis',
  purpose: 'Matrix purpose',
  disclosedOn: '2025-01-02',
  records: [{ recordType: 'particulars', fields: ['prisonNumber'] }],
};

type Scope = 'in' | 'out' | 'grant';
const SCOPES: Scope[] = ['in', 'out', 'grant'];

interface Case {
  user: TestUser;
  scope: Scope;
  prisoner: TestPrisoner;
}

describe('access matrix: every endpoint x every role x scope', () => {
  let t: TestApp;
  let f: Factories;
  let home: TestFacility;
  let away: TestFacility;
  let elsewhere: TestFacility;
  const users = new Map<Role, TestUser>();
  let grantee: TestUser;
  /** Who sets plans up (never the user under test): a PVE inspector and a supervisor per facility. */
  const planners = new Map<string, { pve: TestUser; supervisor: TestUser }>();
  let assessor: TestUser;
  let countersigner: TestUser;
  /** Who records the restrictive measures the operations act on. */
  let measurer: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    home = await f.facility({ code: 'MX-HOME' });
    away = await f.facility({ code: 'MX-AWAY' });
    elsewhere = await f.facility({ code: 'MX-ELSE' });
    for (const role of ROLES)
      users.set(role, await f.user([role], role === 'administrator' ? [] : [home]));
    users.set('inspector', await f.inspector([home]));
    grantee = await f.user(['pve_inspector'], [elsewhere]);
    for (const facility of [home, away])
      planners.set(facility.id, {
        pve: await f.user(['pve_inspector'], [facility]),
        supervisor: await f.user(['supervisor'], [facility]),
      });
    assessor = await f.user(['psychologist'], [home, away]);
    countersigner = await f.user(['psychologist'], [home, away]);
    measurer = await f.user(['security_officer'], [home, away]);
  });
  afterAll(() => t.close());

  const needsAssessment = (prisoner: TestPrisoner) =>
    f.approvedAssessment(prisoner, assessor, countersigner, {
      instrumentKey: 've-needs',
      needs: [
        { code: 'ideology', priority: 'high' },
        { code: 'education', priority: 'low' },
      ],
    });

  /** A psychologist of a facility none of the matrix's prisoners is in (countersign assignments). */
  let outsiderUser: TestUser | undefined;
  const outsider = async () => (outsiderUser ??= await f.user(['psychologist'], [elsewhere]));
  /** A double-rated draft by the assessor and the countersigner, their sets submitted or not. */
  const doubleRated = async (prisoner: TestPrisoner, submitted: boolean) => {
    const id = await f.openAssessment(prisoner, assessor);
    await t.db.query(`UPDATE assessment SET double_rating = true WHERE id = $1`, [id]);
    await t.db.query(
      `INSERT INTO assessment_rating_set (assessment_id, rater_id, lead, ratings, submitted_at)
       VALUES ($1, $2, true, '{"ID01": {"value": "some"}}', $4), ($1, $3, false, '{"ID01": {"value": "none"}}', $4)`,
      [id, assessor.id, countersigner.id, submitted ? new Date() : null],
    );
    return id;
  };

  type PlanState =
    'draft' | 'ready' | 'pending' | 'active' | 'delivering' | 'revising' | 'revision-submitted';
  type Plan = { id: string; version: number; goals: { id: string }[]; interventions: any[] }; // eslint-disable-line @typescript-eslint/no-explicit-any

  /**
   * A plan for the prisoner, set up through the API by the planners of its facility: `ready`
   * has the prisoner's agreement, `delivering` a consented psychological intervention scheduled,
   * `revising` a pending revision (goals reordered) by the PVE planner, submitted in
   * `revision-submitted`.
   */
  async function planFor(prisoner: TestPrisoner, state: PlanState): Promise<Plan> {
    const { pve, supervisor } = planners.get(prisoner.facilityId)!;
    const ok = (res: { status: number; body: Plan }, status = 200) => {
      expect(res.status).toBe(status);
      return res.body;
    };
    let plan = ok(
      await t.http
        .post(`/api/v1/prisoners/${prisoner.id}/plans`)
        .set('authorization', pve.auth)
        .send({ basedOnAssessmentId: await needsAssessment(prisoner) }),
      201,
    );
    if (state === 'draft') return plan;
    plan = ok(
      await t.http
        .patch(`/api/v1/plans/${plan.id}`)
        .set('authorization', pve.auth)
        .set('if-match', String(plan.version))
        .send({
          prisonerAgreement: { response: 'agreed', recordedOn: '2025-01-02' },
        }),
    );
    if (state === 'ready') return plan;
    const step = async (action: string, user: TestUser) =>
      ok(
        await t.http
          .post(`/api/v1/plans/${plan.id}/${action}`)
          .set('authorization', user.auth)
          .set('if-match', String(plan.version)),
      );
    plan = await step('submit', pve);
    if (state === 'pending') return plan;
    plan = await step('activate', supervisor);
    if (state === 'active') return plan;
    if (state === 'revising' || state === 'revision-submitted') {
      plan = ok(
        await t.http
          .patch(`/api/v1/plans/${plan.id}`)
          .set('authorization', pve.auth)
          .set('if-match', String(plan.version))
          .send({ goals: [...plan.goals].reverse().map(goalInput) }),
      );
      return state === 'revising' ? plan : step('pending-revision/submit', pve);
    }
    return ok(
      await t.http
        .patch(`/api/v1/plans/${plan.id}`)
        .set('authorization', pve.auth)
        .set('if-match', String(plan.version))
        .send({
          interventions: plan.interventions.map((i) => ({
            id: i.id,
            catalogueCode: i.catalogueCode,
            goalIds: i.goalIds,
            discipline: i.discipline,
            frequency: i.frequency,
            plannedStart: i.plannedStart,
            status: i.catalogueCode === 'cognitive_behavioural' ? 'scheduled' : i.status,
            ...(i.catalogueCode === 'cognitive_behavioural'
              ? { consent: { given: true, recordedOn: '2025-01-02' } }
              : {}),
          })),
        }),
    );
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const goalInput = (g: any) => ({
    id: g.id,
    needCode: g.needCode,
    description: g.description,
    targetDate: g.targetDate,
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const interventionInput = (i: any) => ({
    id: i.id,
    catalogueCode: i.catalogueCode,
    goalIds: i.goalIds,
    frequency: i.frequency,
    plannedStart: i.plannedStart,
    plannedEnd: i.plannedEnd,
    status: i.status,
  });
  /** A psychological intervention added to a plan: material once the plan is active. */
  const withSupport = (plan: Plan, frequency = 'P1W') => ({
    interventions: [
      ...plan.interventions.map(interventionInput),
      {
        catalogueCode: 'psychological_support',
        goalIds: [plan.goals[0].id],
        frequency,
        plannedStart: '2025-02-01',
        status: 'proposed',
      },
    ],
  });
  /** A subject-access request made by the supervisor of the prisoner's facility (with a redaction). */
  const requestFor = async (prisoner: TestPrisoner, redacted = false) => {
    const { supervisor } = planners.get(prisoner.facilityId)!;
    const res = await post(`/api/v1/prisoners/${prisoner.id}/subject-access-requests`, supervisor, {
      receivedOn: '2025-01-02',
    }).expect(201);
    if (!redacted) return res.body;
    return (
      await post(`/api/v1/subject-access-requests/${res.body.id}/redactions`, supervisor, {
        element: `particulars/${prisoner.id}/dateOfBirth`,
        ground: 'safety_of_others',
      }).expect(201)
    ).body;
  };
  /** A challenge of an approved assessment, recorded by the PVE planner, routed to `to` or by default. */
  const challengeFor = async (prisoner: TestPrisoner, to?: TestUser) =>
    (
      await post(
        `/api/v1/prisoners/${prisoner.id}/challenges`,
        planners.get(prisoner.facilityId)!.pve,
        {
          targetType: 'assessment',
          targetId: await needsAssessment(prisoner),
          receivedOn: '2025-01-02',
          words: 'Matrix challenge',
          ...(to ? { assignedToId: to.id } : {}),
        },
      ).expect(201)
    ).body;
  /**
   * A challenge answered not upheld by the supervisor of the prisoner's facility (so escalable),
   * and with `escalated` an escalation recorded by its PVE planner.
   */
  const rejectedChallengeFor = async (prisoner: TestPrisoner, escalated = false) => {
    const { pve, supervisor } = planners.get(prisoner.facilityId)!;
    const challenge = await challengeFor(prisoner, supervisor);
    await post(`/api/v1/challenges/${challenge.id}/answer`, supervisor, {
      outcome: 'not_upheld',
      response: 'Matrix answer',
    }).expect(200);
    if (!escalated) return { challengeId: challenge.id as string, escalationId: '' };
    const res = await post(`/api/v1/challenges/${challenge.id}/escalations`, pve, ESCALATION);
    expect(res.status).toBe(201);
    return {
      challengeId: challenge.id as string,
      escalationId: res.body.escalations[0].id as string,
    };
  };
  /**
   * A complaint made to staff, recorded by the PVE planner of the prisoner's facility (routed to
   * `to`, or by default); with `by` an inspector, a confidential one made to them.
   */
  const complaintFor = async (
    prisoner: TestPrisoner,
    options: { to?: TestUser; by?: TestUser } = {},
  ) =>
    (
      await post(
        `/api/v1/prisoners/${prisoner.id}/complaints`,
        options.by ?? planners.get(prisoner.facilityId)!.pve,
        {
          receivedOn: '2025-01-02',
          madeBy: 'prisoner',
          subject: 'conditions',
          allegesIllTreatment: false,
          words: 'Matrix complaint',
          ...(options.to ? { assignedToId: options.to.id } : {}),
        },
      ).expect(201)
    ).body;
  /** The complaint an operation acts on: the inspector's own in scope, else one made to staff. */
  const complaintOf = (c: Case) =>
    complaintFor(
      c.prisoner,
      c.user.roles.includes('inspector') && c.scope === 'in'
        ? { by: c.user }
        : c.user.roles.includes('supervisor') && c.scope === 'in'
          ? { to: c.user }
          : {},
    );
  const status = (res: { status: number }) => String(res.status);
  /** 200 answers that carry a plan are reported by their view. */
  const viewOrStatus = (res: { status: number; body: { view?: string } }) =>
    res.status === 200 ? String(res.body.view) : String(res.status);
  /** A plan step; steps without a body (submit, activate, approve) are sent without one. */
  const transition = async (c: Case, state: PlanState, action: string, body?: object) => {
    const plan = await planFor(c.prisoner, state);
    const request = t.http
      .post(`/api/v1/plans/${plan.id}/${action}`)
      .set('authorization', c.user.auth)
      .set('if-match', String(plan.version));
    return status(await (body === undefined ? request : request.send(body)));
  };
  const editRevision = (plan: Plan, user: TestUser, body: object) =>
    t.http
      .patch(`/api/v1/plans/${plan.id}/pending-revision`)
      .set('authorization', user.auth)
      .set('if-match', String(plan.version))
      .send(body);

  const get = (path: string, user: TestUser) => t.http.get(path).set('authorization', user.auth);
  const post = (path: string, user: TestUser, body: object = {}) =>
    t.http.post(path).set('authorization', user.auth).send(body);
  /** A change of a record just made (version 1), as one who read it would send it. */
  const postIfMatch = (path: string, user: TestUser, body: object = {}) =>
    t.http.post(path).set('authorization', user.auth).set('if-match', '1').send(body);

  /** Whether a list (walked page by page) shows something of the prisoner, or its status. */
  const listedIn = async (path: string, user: TestUser, prisoner: TestPrisoner) => {
    for (let cursor = ''; ;) {
      const res = await get(
        `${path}${path.includes('?') ? '&' : '?'}limit=100${cursor && `&cursor=${cursor}`}`,
        user,
      );
      if (res.status !== 200) return status(res);
      if (res.body.items.some((i: { prisonerId: string }) => i.prisonerId === prisoner.id))
        return 'listed';
      if (!res.body.nextCursor) return 'absent';
      cursor = res.body.nextCursor;
    }
  };

  /** A fictional practice case of ve-risk-spj (imported at start-up). */
  const practiceCaseId = async (): Promise<string> => {
    const [row] = await t.db.query(
      `SELECT id FROM training_rule_set_version WHERE key = 've-risk-spj-practice-01'`,
    );
    return row.id;
  };
  /** A fresh draft attempt of `userId` (written directly; its own tests cover the API path). */
  const attemptOf = async (userId: string): Promise<string> => {
    const [row] = await t.db.query(
      `INSERT INTO training_attempt (trainee_id, practice_case_id, instrument_key)
       SELECT $1, id, 've-risk-spj' FROM training_rule_set_version
       WHERE key = 've-risk-spj-practice-02'
       ON CONFLICT DO NOTHING RETURNING id`,
      [userId],
    );
    if (row) return row.id;
    const [open] = await t.db.query(
      `SELECT id FROM training_attempt WHERE trainee_id = $1 AND status = 'draft'
         AND practice_case_id = (SELECT id FROM training_rule_set_version WHERE key = 've-risk-spj-practice-02')`,
      [userId],
    );
    return open.id;
  };

  /** Runs one operation; returns the status, or listed/absent for the list. */
  const OPERATIONS: Record<string, (c: Case) => Promise<string>> = {
    'GET /training/cases': async ({ user }) => status(await get('/api/v1/training/cases', user)),
    'GET /training/cases/:id': async ({ user }) =>
      status(await get(`/api/v1/training/cases/${await practiceCaseId()}`, user)),
    'POST /training/cases/:id/attempts': async ({ user }) =>
      status(
        await t.http
          .post(`/api/v1/training/cases/${await practiceCaseId()}/attempts`)
          .set('authorization', user.auth),
      ),
    'GET /training/attempts/:id (own)': async ({ user }) =>
      status(await get(`/api/v1/training/attempts/${await attemptOf(user.id)}`, user)),
    'GET /training/attempts/:id (another’s)': async ({ user }) =>
      status(await get(`/api/v1/training/attempts/${await attemptOf(assessor.id)}`, user)),
    'PATCH /training/attempts/:id (own)': async ({ user }) => {
      const id = await attemptOf(user.id);
      const [{ version }] = await t.db.query(`SELECT version FROM training_attempt WHERE id = $1`, [
        id,
      ]);
      return status(
        await t.http
          .patch(`/api/v1/training/attempts/${id}`)
          .set('authorization', user.auth)
          .set('if-match', String(version))
          .send({ ratings: { BA01: { value: 'low' } } }),
      );
    },
    'PATCH /training/attempts/:id (another’s)': async ({ user }) =>
      status(
        await t.http
          .patch(`/api/v1/training/attempts/${await attemptOf(assessor.id)}`)
          .set('authorization', user.auth)
          .set('if-match', '1')
          .send({ ratings: { BA01: { value: 'low' } } }),
      ),
    'POST /training/attempts/:id/submit (own, incomplete)': async ({ user }) => {
      const id = await attemptOf(user.id);
      const [{ version }] = await t.db.query(`SELECT version FROM training_attempt WHERE id = $1`, [
        id,
      ]);
      return status(
        await t.http
          .post(`/api/v1/training/attempts/${id}/submit`)
          .set('authorization', user.auth)
          .set('if-match', String(version)),
      );
    },
    'POST /training/attempts/:id/submit (another’s)': async ({ user }) =>
      status(
        await t.http
          .post(`/api/v1/training/attempts/${await attemptOf(assessor.id)}/submit`)
          .set('authorization', user.auth)
          .set('if-match', '1'),
      ),
    'GET /training/progress': async ({ user }) =>
      status(await get('/api/v1/training/progress', user)),
    'GET /training/overview': async ({ user }) =>
      status(await get('/api/v1/training/overview', user)),
    'GET /instruments': async ({ user }) => status(await get('/api/v1/instruments', user)),
    'GET /instruments/:key/versions/:version': async ({ user }) =>
      status(await get('/api/v1/instruments/ve-risk-spj/versions/1.0.0', user)),
    'GET /instruments/:key/diff': async ({ user }) =>
      status(await get('/api/v1/instruments/ve-risk-spj/diff?from=1.0.0&to=1.0.0', user)),
    'POST /prisoners/:id/assessments': async ({ user, prisoner }) =>
      status(
        await post(`/api/v1/prisoners/${prisoner.id}/assessments`, user, {
          instrumentKey: 've-needs',
          reason: 'intake',
        }),
      ),
    'GET /prisoners/:id/assessments': async ({ user, prisoner }) => {
      await f.openAssessment(prisoner, assessor);
      return status(await get(`/api/v1/prisoners/${prisoner.id}/assessments`, user));
    },
    'GET /prisoners/:id/risk-timeline': async ({ user, prisoner }) => {
      await needsAssessment(prisoner);
      return status(await get(`/api/v1/prisoners/${prisoner.id}/risk-timeline`, user));
    },
    'GET /assessments': async ({ user, prisoner }) => {
      await needsAssessment(prisoner);
      return listedIn('/api/v1/assessments', user, prisoner);
    },
    'GET /assessments?awaitingMyCountersignature': async ({ user, prisoner }) => {
      await f.openAssessment(prisoner, assessor, 'submitted');
      return listedIn('/api/v1/assessments?awaitingMyCountersignature=true', user, prisoner);
    },
    'GET /assessments/:id': async ({ user, prisoner }) =>
      viewOrStatus(await get(`/api/v1/assessments/${await needsAssessment(prisoner)}`, user)),
    'PATCH /assessments/:id (own)': async ({ user, prisoner }) => {
      const id = await f.openAssessment(
        prisoner,
        user.roles.includes('psychologist') ? user : assessor,
      );
      return status(
        await t.http
          .patch(`/api/v1/assessments/${id}`)
          .set('authorization', user.auth)
          .set('if-match', '1')
          .send({ formulation: 'Matrix edit' }),
      );
    },
    'PATCH /assessments/:id (another’s)': async ({ user, prisoner }) =>
      status(
        await t.http
          .patch(`/api/v1/assessments/${await f.openAssessment(prisoner, assessor)}`)
          .set('authorization', user.auth)
          .set('if-match', '1')
          .send({ formulation: 'Matrix edit' }),
      ),
    'POST /assessments/:id/submit': async ({ user, prisoner }) =>
      status(
        await post(
          `/api/v1/assessments/${await f.openAssessment(prisoner, assessor)}/submit`,
          user,
        ),
      ),
    'POST /assessments/:id/countersign': async ({ user, prisoner }) =>
      status(
        await post(
          `/api/v1/assessments/${await f.openAssessment(prisoner, assessor, 'submitted')}/countersign`,
          user,
          { decision: 'approve' },
        ),
      ),
    'POST /assessments/:id/amend': async ({ user, prisoner }) =>
      status(
        await post(`/api/v1/assessments/${await needsAssessment(prisoner)}/amend`, user, {
          reason: 'Matrix amendment reason',
        }),
      ),
    'POST /assessments/:id/trigger-reviews': async ({ user, prisoner }) => {
      // ve-needs: a programme milestone makes a review (not a reassessment) due.
      const id = await needsAssessment(prisoner);
      const [{ id: eventId }] = await t.db.query(
        `INSERT INTO prisoner_event (prisoner_id, facility_id, type, occurred_at, recorded_by)
         VALUES ($1, $2, 'programme_milestone', now(), $3) RETURNING id`,
        [prisoner.id, prisoner.facilityId, assessor.id],
      );
      return status(
        await post(`/api/v1/assessments/${id}/trigger-reviews`, user, {
          eventId,
          outcome: 'no_change',
          rationale: 'Matrix review: nothing changes',
        }),
      );
    },
    'POST /assessments/:id/cancel': async ({ user, prisoner }) =>
      status(
        await post(
          `/api/v1/assessments/${await f.openAssessment(prisoner, assessor)}/cancel`,
          user,
          {
            reason: 'Matrix cancellation',
          },
        ),
      ),
    'POST /assessments/:id/contributions': async ({ user, prisoner }) =>
      status(
        await post(
          `/api/v1/assessments/${await f.openAssessment(prisoner, assessor)}/contributions`,
          user,
          {
            observation: 'Matrix observation',
            source: 'observation',
            observedOn: '2025-01-02',
            confidentiality: 'standard',
          },
        ),
      ),
    'GET /assessments/:id/contributions': async ({ user, prisoner }) =>
      status(
        await get(
          `/api/v1/assessments/${await f.openAssessment(prisoner, assessor)}/contributions`,
          user,
        ),
      ),
    'POST /assessments/:id/countersign-assignments': async ({ user, prisoner }) =>
      status(
        await post(
          `/api/v1/assessments/${await f.openAssessment(prisoner, assessor, 'submitted')}/countersign-assignments`,
          user,
          { assigneeId: (await outsider()).id, reason: 'Matrix: one psychologist here' },
        ),
      ),
    'GET /assessments/:id/countersign-assignments': async ({ user, prisoner }) =>
      status(
        await get(
          `/api/v1/assessments/${await f.openAssessment(prisoner, assessor, 'submitted')}/countersign-assignments`,
          user,
        ),
      ),
    'POST /countersign-assignments/:id/revoke': async ({ user, prisoner }) => {
      const id = await f.openAssessment(prisoner, assessor, 'submitted');
      const assigned = await post(
        `/api/v1/assessments/${id}/countersign-assignments`,
        planners.get(prisoner.facilityId)!.supervisor,
        { assigneeId: (await outsider()).id, reason: 'Matrix: one psychologist here' },
      ).expect(201);
      return status(
        await t.http
          .post(`/api/v1/countersign-assignments/${assigned.body.id}/revoke`)
          .set('authorization', user.auth)
          .set('if-match', String(assigned.body.version)),
      );
    },
    'GET /assessments/:id/rating-sets': async ({ user, prisoner }) =>
      status(
        await get(`/api/v1/assessments/${await doubleRated(prisoner, true)}/rating-sets`, user),
      ),
    'PATCH /assessments/:id/rating-sets/mine (another’s)': async ({ user, prisoner }) =>
      status(
        await t.http
          .patch(`/api/v1/assessments/${await doubleRated(prisoner, false)}/rating-sets/mine`)
          .set('authorization', user.auth)
          .set('if-match', '1')
          .send({ ratings: {} }),
      ),
    'POST /assessments/:id/rating-sets/mine/submit (another’s)': async ({ user, prisoner }) =>
      status(
        await t.http
          .post(`/api/v1/assessments/${await doubleRated(prisoner, false)}/rating-sets/mine/submit`)
          .set('authorization', user.auth)
          .set('if-match', '1'),
      ),
    'POST /assessments/:id/consensus (another’s)': async ({ user, prisoner }) =>
      status(
        await t.http
          .post(`/api/v1/assessments/${await doubleRated(prisoner, true)}/consensus`)
          .set('authorization', user.auth)
          .set('if-match', '1')
          .send({ ratings: {}, rationale: 'Matrix consensus' }),
      ),
    'POST /prisoners/:id/events': async ({ user, prisoner }) =>
      status(
        await post(`/api/v1/prisoners/${prisoner.id}/events`, user, {
          type: 'new_information',
          occurredAt: new Date().toISOString(),
        }),
      ),
    'GET /prisoners/:id/events': async ({ user, prisoner }) =>
      status(await get(`/api/v1/prisoners/${prisoner.id}/events`, user)),
    'GET /reviews/due': async ({ user, prisoner }) => {
      // Every case of this file adds a prisoner without assessment (intake due): walk all pages.
      for (let cursor = ''; ;) {
        const res = await get(
          `/api/v1/reviews/due?limit=100${cursor && `&cursor=${cursor}`}`,
          user,
        );
        if (res.status !== 200) return status(res);
        if (res.body.items.some((d: { prisonerId: string }) => d.prisonerId === prisoner.id)) {
          return 'listed';
        }
        if (!res.body.nextCursor) return 'absent';
        cursor = res.body.nextCursor;
      }
    },
    'POST /prisoners/:id/subject-access-requests': async ({ user, prisoner }) =>
      status(
        await post(`/api/v1/prisoners/${prisoner.id}/subject-access-requests`, user, {
          receivedOn: '2025-01-02',
        }),
      ),
    'GET /subject-access-requests': async ({ user, prisoner }) => {
      await requestFor(prisoner);
      return listedIn('/api/v1/subject-access-requests', user, prisoner);
    },
    'GET /subject-access-requests/:id': async ({ user, prisoner }) =>
      status(await get(`/api/v1/subject-access-requests/${(await requestFor(prisoner)).id}`, user)),
    'GET /subject-access-requests/:id/contents': async ({ user, prisoner }) =>
      status(
        await get(
          `/api/v1/subject-access-requests/${(await requestFor(prisoner)).id}/contents`,
          user,
        ),
      ),
    'POST /subject-access-requests/:id/redactions': async ({ user, prisoner }) =>
      status(
        await post(
          `/api/v1/subject-access-requests/${(await requestFor(prisoner)).id}/redactions`,
          user,
          {
            element: `particulars/${prisoner.id}/dateOfBirth`,
            ground: 'safety_of_others',
          },
        ),
      ),
    'POST /subject-access-requests/:id/redactions/:redactionId/withdraw': async ({
      user,
      prisoner,
    }) => {
      const request = await requestFor(prisoner, true);
      return status(
        await t.http
          .post(
            `/api/v1/subject-access-requests/${request.id}/redactions/${request.register[0].id}/withdraw`,
          )
          .set('authorization', user.auth),
      );
    },
    'POST /subject-access-requests/:id/release': async ({ user, prisoner }) => {
      const request = await requestFor(prisoner);
      return status(
        await t.http
          .post(`/api/v1/subject-access-requests/${request.id}/release`)
          .set('authorization', user.auth)
          .set('if-match', String(request.version)),
      );
    },
    'GET /subject-access-requests/:id/bundle': async ({ user, prisoner }) => {
      const request = await requestFor(prisoner);
      const { supervisor } = planners.get(prisoner.facilityId)!;
      await t.http
        .post(`/api/v1/subject-access-requests/${request.id}/release`)
        .set('authorization', supervisor.auth)
        .set('if-match', String(request.version))
        .expect(200);
      return status(await get(`/api/v1/subject-access-requests/${request.id}/bundle`, user));
    },
    'POST /prisoners/:id/disclosures': async ({ user, prisoner }) =>
      status(await post(`/api/v1/prisoners/${prisoner.id}/disclosures`, user, DISCLOSURE)),
    'GET /prisoners/:id/disclosures': async ({ user, prisoner }) =>
      status(await get(`/api/v1/prisoners/${prisoner.id}/disclosures`, user)),
    'GET /disclosures': async ({ user, prisoner }) => {
      await post(
        `/api/v1/prisoners/${prisoner.id}/disclosures`,
        planners.get(prisoner.facilityId)!.supervisor,
        DISCLOSURE,
      ).expect(201);
      return listedIn('/api/v1/disclosures', user, prisoner);
    },
    'POST /prisoners/:id/challenges': async ({ user, prisoner }) =>
      status(
        await post(`/api/v1/prisoners/${prisoner.id}/challenges`, user, {
          targetType: 'assessment',
          targetId: await needsAssessment(prisoner),
          receivedOn: '2025-01-02',
          words: 'Matrix challenge',
        }),
      ),
    'GET /prisoners/:id/challenges': async ({ user, prisoner }) => {
      await challengeFor(prisoner);
      return status(await get(`/api/v1/prisoners/${prisoner.id}/challenges`, user));
    },
    'GET /challenges': async ({ user, prisoner }) => {
      await challengeFor(prisoner);
      return listedIn('/api/v1/challenges', user, prisoner);
    },
    'GET /challenges/:id': async ({ user, prisoner }) =>
      viewOrStatus(await get(`/api/v1/challenges/${(await challengeFor(prisoner)).id}`, user)),
    'POST /challenges/:id/answer': async ({ user, scope, prisoner }) => {
      const routedToUser =
        scope === 'in' &&
        (user.roles.includes('psychologist') || user.roles.includes('supervisor'));
      const challenge = await challengeFor(prisoner, routedToUser ? user : undefined);
      return status(
        await post(`/api/v1/challenges/${challenge.id}/answer`, user, {
          outcome: 'not_upheld',
          response: 'Matrix answer',
        }),
      );
    },
    'POST /challenges/:id/escalations': async ({ user, prisoner }) => {
      const { challengeId } = await rejectedChallengeFor(prisoner);
      return status(await post(`/api/v1/challenges/${challengeId}/escalations`, user, ESCALATION));
    },
    'POST /challenges/:id/escalations/:escalationId/decision': async ({ user, prisoner }) => {
      const { challengeId, escalationId } = await rejectedChallengeFor(prisoner, true);
      return status(
        await post(`/api/v1/challenges/${challengeId}/escalations/${escalationId}/decision`, user, {
          decidedOn: new Date().toISOString().slice(0, 10),
          outcome: 'not_upheld',
          summary: 'Matrix decision',
        }),
      );
    },
    'POST /prisoners/:id/complaints': async ({ user, prisoner }) =>
      status(
        await post(`/api/v1/prisoners/${prisoner.id}/complaints`, user, {
          receivedOn: '2025-01-02',
          madeBy: 'legal_adviser',
          subject: 'treatment_by_staff',
          allegesIllTreatment: true,
          words: 'Matrix complaint',
        }),
      ),
    'GET /prisoners/:id/complaint-staff': async ({ user, prisoner }) =>
      status(await get(`/api/v1/prisoners/${prisoner.id}/complaint-staff`, user)),
    'GET /prisoners/:id/complaints': async ({ user, prisoner }) => {
      await complaintFor(prisoner);
      return status(await get(`/api/v1/prisoners/${prisoner.id}/complaints`, user));
    },
    'GET /complaints': async ({ user, prisoner }) => {
      await complaintFor(prisoner);
      return listedIn('/api/v1/complaints', user, prisoner);
    },
    'GET /complaints/:id': async ({ user, prisoner }) =>
      viewOrStatus(await get(`/api/v1/complaints/${(await complaintFor(prisoner)).id}`, user)),
    'POST /complaints/:id/answer': async (c) =>
      status(
        await post(`/api/v1/complaints/${(await complaintOf(c)).id}/answer`, c.user, {
          outcome: 'not_upheld',
          response: 'Matrix answer',
        }),
      ),
    'POST /complaints/:id/referrals': async (c) =>
      status(
        await post(`/api/v1/complaints/${(await complaintOf(c)).id}/referrals`, c.user, {
          authority: 'ombudsman',
          authorityName: 'Matrix ombudsman',
          referredOn: '2025-02-01',
        }),
      ),
    'GET /prisoners/:id': async ({ user, prisoner }) =>
      String(
        (await t.http.get(`/api/v1/prisoners/${prisoner.id}`).set('authorization', user.auth))
          .status,
      ),
    'GET /prisoners': async ({ user, prisoner }) => {
      const res = await t.http
        .get('/api/v1/prisoners')
        .query({ q: prisoner.prisonNumber })
        .set('authorization', user.auth);
      if (res.status !== 200) return String(res.status);
      return res.body.items.some((p: { id: string }) => p.id === prisoner.id) ? 'listed' : 'absent';
    },
    'POST /prisoners': async ({ user, scope }) =>
      String(
        (
          await t.http
            .post('/api/v1/prisoners')
            .set('authorization', user.auth)
            .send({
              prisonNumber: `MX-${Math.random().toString(36).slice(2, 10)}`,
              givenName: 'Matrix',
              familyName: 'Case',
              dateOfBirth: '1990-01-01',
              sex: 'female',
              legalStatus: 'sentenced',
              facilityId: scope === 'in' ? home.id : away.id,
            })
        ).status,
      ),
    'PATCH /prisoners/:id': async ({ user, prisoner }) =>
      String(
        (
          await t.http
            .patch(`/api/v1/prisoners/${prisoner.id}`)
            .set('authorization', user.auth)
            .set('if-match', '1')
            .send({ givenName: 'Edited' })
        ).status,
      ),
    'POST /prisoners/:id/transfer': async ({ user, prisoner }) =>
      String(
        (
          await t.http
            .post(`/api/v1/prisoners/${prisoner.id}/transfer`)
            .set('authorization', user.auth)
            .send({ facilityId: elsewhere.id, reason: 'Matrix move' })
        ).status,
      ),
    'POST /prisoners/:id/discharge': async ({ user, prisoner }) =>
      String(
        (
          await t.http
            .post(`/api/v1/prisoners/${prisoner.id}/discharge`)
            .set('authorization', user.auth)
            .set('if-match', '1')
            .send({ dischargedOn: new Date().toISOString().slice(0, 10), reason: 'released' })
        ).status,
      ),
    'POST /prisoners/:id/readmit': async ({ user, prisoner }) => {
      // Discharged directly (the version stays 1): readmission is what the cell tries.
      await t.db.query(
        `UPDATE prisoner SET discharged_on = current_date, discharge_reason = 'other' WHERE id = $1`,
        [prisoner.id],
      );
      return String(
        (
          await t.http
            .post(`/api/v1/prisoners/${prisoner.id}/readmit`)
            .set('authorization', user.auth)
            .set('if-match', '1')
            .send({ readmittedOn: new Date().toISOString().slice(0, 10) })
        ).status,
      );
    },
    'POST /prisoners/:id/emergency-access': async ({ user, prisoner }) =>
      String(
        (
          await t.http
            .post(`/api/v1/prisoners/${prisoner.id}/emergency-access`)
            .set('authorization', user.auth)
            .send({ reason: 'Urgent: incident on the wing needs context' })
        ).status,
      ),
    'GET /emergency-access': async ({ user }) =>
      String((await t.http.get('/api/v1/emergency-access').set('authorization', user.auth)).status),
    'POST /emergency-access/:id/review': async ({ user, prisoner }) => {
      const grantId = await f.grant(grantee, prisoner);
      return String(
        (
          await t.http
            .post(`/api/v1/emergency-access/${grantId}/review`)
            .set('authorization', user.auth)
            .send({ outcome: 'justified', note: 'Checked with the duty log' })
        ).status,
      );
    },
    'POST /emergency-access/:id/revoke': async ({ user, prisoner }) => {
      const grantId = await f.grant(grantee, prisoner);
      return String(
        (
          await t.http
            .post(`/api/v1/emergency-access/${grantId}/revoke`)
            .set('authorization', user.auth)
            .send({ reason: 'No longer needed' })
        ).status,
      );
    },
    'GET /audit/events': async ({ user }) =>
      String((await t.http.get('/api/v1/audit/events').set('authorization', user.auth)).status),
    'GET /audit/events/export': async ({ user }) =>
      String(
        (
          await t.http
            .get('/api/v1/audit/events/export?format=ndjson')
            .set('authorization', user.auth)
        ).status,
      ),
    'GET /audit/verify': async ({ user }) =>
      String((await t.http.get('/api/v1/audit/verify').set('authorization', user.auth)).status),
    'GET /users': async ({ user }) =>
      String((await t.http.get('/api/v1/users').set('authorization', user.auth)).status),
    'POST /users': async ({ user }) =>
      String(
        (
          await t.http
            .post('/api/v1/users')
            .set('authorization', user.auth)
            .send({
              username: `mx.${Math.random().toString(36).slice(2, 8)}`,
              displayName: 'M',
              password: 'matrix passphrase 1',
              roles: ['psychologist'],
              facilityIds: [home.id],
            })
        ).status,
      ),
    'PATCH /users/:id': async ({ user }) => {
      const target = await f.user(['psychologist'], [home]);
      return String(
        (
          await t.http
            .patch(`/api/v1/users/${target.id}`)
            .set('authorization', user.auth)
            .set('if-match', '1')
            .send({ displayName: 'Renamed' })
        ).status,
      );
    },
    'POST /users/:id/certifications': async ({ user }) => {
      const target = await f.user(['psychologist'], [home]);
      return String(
        (
          await t.http
            .post(`/api/v1/users/${target.id}/certifications`)
            .set('authorization', user.auth)
            .send({ instrumentKey: 've-risk-spj', validUntil: '2099-01-01' })
        ).status,
      );
    },
    'GET /facilities': async ({ user }) =>
      String((await t.http.get('/api/v1/facilities').set('authorization', user.auth)).status),
    'POST /facilities': async ({ user }) =>
      String(
        (
          await t.http
            .post('/api/v1/facilities')
            .set('authorization', user.auth)
            .send({
              code: `MX-${Math.random().toString(36).slice(2, 8).toUpperCase()}`,
              name: 'New',
            })
        ).status,
      ),
    'POST /prisoners/:id/plans': async ({ user, prisoner }) =>
      status(
        await t.http
          .post(`/api/v1/prisoners/${prisoner.id}/plans`)
          .set('authorization', user.auth)
          .send({ basedOnAssessmentId: await needsAssessment(prisoner) }),
      ),
    'GET /prisoners/:id/plans': async ({ user, prisoner }) => {
      await planFor(prisoner, 'draft');
      return status(
        await t.http.get(`/api/v1/prisoners/${prisoner.id}/plans`).set('authorization', user.auth),
      );
    },
    'GET /plans/:id': async ({ user, prisoner }) => {
      const plan = await planFor(prisoner, 'active');
      return viewOrStatus(
        await t.http.get(`/api/v1/plans/${plan.id}`).set('authorization', user.auth),
      );
    },
    'PATCH /plans/:id': async ({ user, prisoner }) => {
      const plan = await planFor(prisoner, 'draft');
      return status(
        await t.http
          .patch(`/api/v1/plans/${plan.id}`)
          .set('authorization', user.auth)
          .set('if-match', String(plan.version))
          .send({ release: { tasks: [{ description: 'Housing application', status: 'open' }] } }),
      );
    },
    'PATCH /plans/:id (psychological)': async ({ user, prisoner }) => {
      const plan = await planFor(prisoner, 'draft');
      return status(
        await t.http
          .patch(`/api/v1/plans/${plan.id}`)
          .set('authorization', user.auth)
          .set('if-match', String(plan.version))
          .send({
            interventions: [
              ...plan.interventions.map((i) => ({
                id: i.id,
                catalogueCode: i.catalogueCode,
                goalIds: i.goalIds,
                discipline: i.discipline,
                frequency: i.frequency,
                plannedStart: i.plannedStart,
                plannedEnd: i.plannedEnd,
                status: i.status,
              })),
              {
                catalogueCode: 'psychological_support',
                goalIds: [plan.goals[0].id],
                discipline: 'psychologist',
                frequency: 'P1W',
                plannedStart: '2025-02-01',
                status: 'proposed',
              },
            ],
          }),
      );
    },
    'PATCH /plans/:id/pending-revision (own)': async ({ user, prisoner }) => {
      const plan = await planFor(prisoner, 'active');
      const proposed = await t.http
        .patch(`/api/v1/plans/${plan.id}`)
        .set('authorization', user.auth)
        .set('if-match', String(plan.version))
        .send(withSupport(plan));
      if (proposed.status !== 200) return status(proposed);
      return status(await editRevision(proposed.body, user, withSupport(plan, 'P2W')));
    },
    'PATCH /plans/:id/pending-revision (another’s)': async ({ user, prisoner }) => {
      const plan = await planFor(prisoner, 'revising');
      return status(await editRevision(plan, user, { goals: plan.goals.map(goalInput) }));
    },
    'POST /plans/:id/pending-revision/submit': (c) =>
      transition(c, 'revising', 'pending-revision/submit'),
    'POST /plans/:id/pending-revision/approve': (c) =>
      transition(c, 'revision-submitted', 'pending-revision/approve'),
    'POST /plans/:id/pending-revision/return': (c) =>
      transition(c, 'revision-submitted', 'pending-revision/return', {
        comments: 'Please keep the original order',
      }),
    'POST /plans/:id/pending-revision/withdraw': (c) =>
      transition(c, 'revising', 'pending-revision/withdraw', { reason: 'Matrix withdrawal' }),
    'POST /plans/:id/submit': (c) => transition(c, 'ready', 'submit'),
    'POST /plans/:id/activate': (c) => transition(c, 'pending', 'activate'),
    'POST /plans/:id/return': (c) =>
      transition(c, 'pending', 'return', { comments: 'Add a goal for family contact' }),
    'POST /plans/:id/suspend': (c) =>
      transition(c, 'active', 'suspend', { reason: 'Hospital admission' }),
    'POST /plans/:id/complete': (c) => transition(c, 'active', 'complete', {}),
    'POST /plans/:id/close': (c) => transition(c, 'draft', 'close', { reason: 'Made in error' }),
    'GET /plans/:id/revisions': async ({ user, prisoner }) => {
      const plan = await planFor(prisoner, 'draft');
      return status(
        await t.http.get(`/api/v1/plans/${plan.id}/revisions`).set('authorization', user.auth),
      );
    },
    'GET /plans/:id/revisions/:revision': async ({ user, prisoner }) => {
      const plan = await planFor(prisoner, 'draft');
      return viewOrStatus(
        await t.http.get(`/api/v1/plans/${plan.id}/revisions/1`).set('authorization', user.auth),
      );
    },
    'POST /plans/:id/sessions': async ({ user, prisoner }) => {
      const plan = await planFor(prisoner, 'active');
      return status(
        await t.http
          .post(`/api/v1/plans/${plan.id}/sessions`)
          .set('authorization', user.auth)
          .send({ date: '2025-03-01', attendance: 'absent' }),
      );
    },
    'POST /plans/:id/sessions (psychological)': async ({ user, prisoner }) => {
      const plan = await planFor(prisoner, 'delivering');
      const cbt = plan.interventions.find((i) => i.catalogueCode === 'cognitive_behavioural');
      return status(
        await t.http
          .post(`/api/v1/plans/${plan.id}/sessions`)
          .set('authorization', user.auth)
          .send({
            interventionId: cbt.id,
            date: '2025-03-01',
            attendance: 'attended',
            engagement: 3,
          }),
      );
    },
    'GET /plans/:id/sessions': async ({ user, prisoner }) => {
      const plan = await planFor(prisoner, 'active');
      return status(
        await t.http.get(`/api/v1/plans/${plan.id}/sessions`).set('authorization', user.auth),
      );
    },
    'POST /plans/:id/reviews': async ({ user, prisoner }) => {
      const plan = await planFor(prisoner, 'active');
      return status(
        await t.http
          .post(`/api/v1/plans/${plan.id}/reviews`)
          .set('authorization', user.auth)
          .send({
            date: '2025-03-01',
            attendees: ['pve_inspector'],
            summary: 'First review',
            nextReviewDate: '2025-06-01',
          }),
      );
    },
    'POST /inspector-appointments': async ({ user }) => {
      const inspector = await f.user(['inspector']);
      return status(
        await post('/api/v1/inspector-appointments', user, {
          userId: inspector.id,
          body: 'Inspectorate',
          mandate: 'Annual inspection',
          kind: 'internal',
          healthProfessional: false,
          facilityIds: [home.id],
          startsOn: '2026-01-01',
          endsOn: '2099-01-01',
        }),
      );
    },
    'GET /inspector-appointments': async ({ user }) =>
      status(await get('/api/v1/inspector-appointments', user)),
    'GET /inspector-appointments/:id': async ({ user }) => {
      const { appointmentId } = await f.inspector([home]);
      return status(await get(`/api/v1/inspector-appointments/${appointmentId}`, user));
    },
    'POST /inspector-appointments/:id/end': async ({ user }) => {
      const { appointmentId } = await f.inspector([home]);
      return status(
        await t.http
          .post(`/api/v1/inspector-appointments/${appointmentId}/end`)
          .set('authorization', user.auth)
          .set('if-match', '1'),
      );
    },
    'GET /statistics': async ({ user, prisoner }) =>
      status(await get(`/api/v1/statistics?facilityId=${prisoner.facilityId}`, user)),
    'GET /statistics/export': async ({ user, prisoner }) =>
      status(
        await get(`/api/v1/statistics/export?format=csv&facilityId=${prisoner.facilityId}`, user),
      ),
    'POST /prisoners/:id/restrictive-measures': async ({ user, prisoner }) =>
      status(
        await post(`/api/v1/prisoners/${prisoner.id}/restrictive-measures`, user, {
          type: 'separation',
          legalBasis: 'Penal Enforcement Code',
          reason: 'Matrix measure',
          authorisedBy: { name: 'Director', position: 'Director' },
          startsOn: new Date().toISOString().slice(0, 10),
          familyContact: 'unrestricted',
          nextReviewOn: new Date().toISOString().slice(0, 10),
        }),
      ),
    'GET /prisoners/:id/restrictive-measures': async ({ user, prisoner }) => {
      await f.measure(prisoner, measurer);
      return status(await get(`/api/v1/prisoners/${prisoner.id}/restrictive-measures`, user));
    },
    'GET /restrictive-measures/:id': async ({ user, prisoner }) =>
      status(
        await get(`/api/v1/restrictive-measures/${await f.measure(prisoner, measurer)}`, user),
      ),
    'GET /restrictive-measures/alerts': async ({ user, prisoner }) => {
      await f.measure(prisoner, measurer, { daysAgo: 20 });
      return listedIn('/api/v1/restrictive-measures/alerts', user, prisoner);
    },
    'POST /restrictive-measures/:id/days': async ({ user, prisoner }) =>
      status(
        await postIfMatch(
          `/api/v1/restrictive-measures/${await f.measure(prisoner, measurer)}/days`,
          user,
          {
            day: new Date().toISOString().slice(0, 10),
            hoursOutOfCell: 3,
            meaningfulContactHours: 3,
            healthVisit: true,
          },
        ),
      ),
    'POST /restrictive-measures/:id/reviews': async ({ user, prisoner }) =>
      status(
        await postIfMatch(
          `/api/v1/restrictive-measures/${await f.measure(prisoner, measurer)}/reviews`,
          user,
          {
            reviewedOn: new Date().toISOString().slice(0, 10),
            reviewerName: 'Judge',
            reviewerBody: 'Court',
            independent: true,
            decision: 'continue',
          },
        ),
      ),
    'POST /restrictive-measures/:id/end': async ({ user, prisoner }) =>
      status(
        await postIfMatch(
          `/api/v1/restrictive-measures/${await f.measure(prisoner, measurer)}/end`,
          user,
          {
            endedOn: new Date().toISOString().slice(0, 10),
            reason: 'No longer necessary',
          },
        ),
      ),
    'POST /restrictive-measures/:id/health-objections': async ({ user, prisoner }) =>
      status(
        await postIfMatch(
          `/api/v1/restrictive-measures/${await f.measure(prisoner, measurer)}/health-objections`,
          user,
          { objectedOn: new Date().toISOString().slice(0, 10) },
        ),
      ),
    'GET /plans/:id/reviews': async ({ user, prisoner }) => {
      const plan = await planFor(prisoner, 'active');
      return status(
        await t.http.get(`/api/v1/plans/${plan.id}/reviews`).set('authorization', user.auth),
      );
    },
  };

  const cells = Object.entries(MATRIX).flatMap(([operation, row]) =>
    [...ROLES, 'inspector' as const].flatMap((role, i) => {
      const expected = (i < ROLES.length ? row[i] : (INSPECTOR[operation] ?? '?/?/?')).split('/');
      return SCOPES.map((scope, j) => ({ operation, role, scope, expected: expected[j] })).filter(
        (c) => c.expected !== '-',
      );
    }),
  );

  it('covers every operation it declares', () => {
    expect(Object.keys(OPERATIONS).sort()).toEqual(Object.keys(MATRIX).sort());
    expect(Object.keys(INSPECTOR).sort()).toEqual(Object.keys(MATRIX).sort());
  });

  it.each(cells)(
    '$operation as $role, $scope scope -> $expected',
    async ({ operation, role, scope, expected }) => {
      const user = users.get(role)!;
      const prisoner = await f.prisoner(scope === 'in' ? home : away);
      if (scope === 'grant') await f.grant(user, prisoner);
      const [{ seq }] = await t.db.query(
        `SELECT COALESCE(max(seq), 0)::text AS seq FROM audit_event`,
      );
      expect(await OPERATIONS[operation]({ user, scope, prisoner })).toBe(expected);
      // Every refusal of this caller is on record as denied, exactly once; nothing else is.
      const [{ denied }] = await t.db.query(
        `SELECT count(*)::int AS denied FROM audit_event
         WHERE seq > $1::bigint AND actor_id = $2 AND outcome = 'denied'`,
        [seq, user.id],
      );
      expect(denied).toBe(['403', '404'].includes(expected) ? 1 : 0);
    },
  );
});
