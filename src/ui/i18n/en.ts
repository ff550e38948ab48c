import { adminEn } from './en/admin.js';
import { oversightEn } from './en/oversight.js';
import { inspectionEn } from './en/inspection.js';
import { plansEn } from './en/plans.js';
import { recordsEn } from './en/records.js';
import { rightsEn } from './en/rights.js';
import { enAssessments } from './en/assessments.js';
import { trainingEn } from './en/training.js';
import { enSpj } from './en/spj.js';
import { enTeam } from './en/team.js';

/**
 * English: every interface string. Keys are the catalogue's contract; every other language
 * (ru.ts, and Kazakh next) must define each of them. `{name}` is a placeholder; an object gives
 * plural forms chosen by `{count}` (Intl.PluralRules).
 */
export const en = {
  'service.name': 'VEP casework',

  'layout.skipLink': 'Skip to main content',
  'layout.errorPrefix': 'Error:',
  'layout.serviceInformation': 'Service information',
  'layout.menu': 'Menu',
  'layout.navigation': 'Main sections',
  'layout.signedInAs': 'Signed in as {name}',
  'layout.signOut': 'Sign out',
  'layout.language': 'Language',
  'nav.home': 'Home',
  'nav.prisoners': 'Prisoners',
  'footer.about':
    'Casework for the management of violent extremist prisoners (VEP): assessments, disengagement plans and their safeguards.',
  'footer.confidential':
    'Case records are confidential. Every record you open is logged. Sign out when you leave this computer.',

  'common.notRecorded': 'Not recorded',
  'common.warning': 'Warning',
  'duration.minutes': { one: '{count} minute', other: '{count} minutes' },
  'duration.hours': { one: '{count} hour', other: '{count} hours' },
  'pagination.label': 'Pages',
  'pagination.next': 'Next page',
  'pagination.first': 'First page',

  'errors.summaryTitle': 'There is a problem',
  'errors.home': 'Go to the home page',
  'errors.reference': 'If you report this, quote the reference {id}.',
  'errors.badRequest.title': 'This address is not valid',
  'errors.badRequest.body':
    'The link or form you used has a value this service cannot read. Go back and try again.',
  'errors.forbidden.title': 'You cannot open this page',
  'errors.forbidden.body':
    'Your role does not allow this. If you need it for your work, ask your supervisor.',
  'errors.csrf.title': 'Your form could not be sent',
  'errors.csrf.body':
    'The form was older than your current session or came from another page. Go back, reload the page and try again.',
  'errors.notFound.title': 'Page not found',
  'errors.notFound.body':
    'Check the address. If you followed a link, the record may be outside your facilities.',
  'errors.conflict.title': 'This record has changed',
  'errors.conflict.body':
    'Someone changed this record since you opened it, or its status no longer allows this. Go back, reload the page and check before you try again.',
  'errors.tooManyRequests.title': 'Too many attempts',
  'errors.tooManyRequests.body': 'Wait a few minutes, then try again.',
  'errors.serverError.title': 'Sorry, there is a problem with the service',
  'errors.serverError.body': 'Nothing you sent was lost or half saved. Try again later.',

  'signIn.title': 'Sign in',
  'signIn.intro': 'Sign in with the username and password your administrator gave you.',
  'signIn.username': 'Username',
  'signIn.password': 'Password',
  'signIn.showPassword': 'Show',
  'signIn.hidePassword': 'Hide',
  'signIn.showPasswordLabel': 'Show password',
  'signIn.hidePasswordLabel': 'Hide password',
  'signIn.passwordShown': 'Your password is visible',
  'signIn.passwordHidden': 'Your password is hidden',
  'signIn.submit': 'Sign in',
  'signIn.help.title': 'Problems signing in',
  'signIn.help.text':
    'If you have forgotten your password or your account is locked, contact your system administrator.',
  'signIn.errors.username': 'Enter your username',
  'signIn.errors.password': 'Enter your password',
  'signIn.errors.invalid': {
    one: 'The username or password is not right. Check them and try again. After {count} failed attempt, each further attempt has to wait a little longer, up to {duration}.',
    other:
      'The username or password is not right. Check them and try again. After {count} failed attempts, each further attempt has to wait a little longer, up to {duration}.',
  },
  'signIn.errors.locked': {
    one: 'Too many failed attempts to sign in with this username. Try again in {count} minute.',
    other: 'Too many failed attempts to sign in with this username. Try again in {count} minutes.',
  },
  'signIn.errors.lockedSeconds': {
    one: 'Too many failed attempts to sign in with this username. Try again in {count} second.',
    other: 'Too many failed attempts to sign in with this username. Try again in {count} seconds.',
  },
  'signIn.ended.title': 'Your session has ended',
  'signIn.ended.text':
    'You were signed out because you signed out elsewhere, your account was changed, or your session reached its time limit. Sign in again to continue.',
  'signedOut.title': 'You have signed out',
  'signedOut.text': 'Your session has ended. Close the browser if you are using a shared computer.',
  'signedOut.signInAgain': 'Sign in again',

  'timeout.page.title': 'You have been signed out',
  'timeout.page.why':
    'You were signed out because you did nothing in the service for {duration}. This protects the records when a computer is left unattended.',
  'timeout.page.unsaved': 'Anything you had not saved has not been kept. Sign in to continue.',
  'timeout.dialog.title': 'You are about to be signed out',
  'timeout.dialog.soon': 'You will be signed out soon.',
  'timeout.dialog.minutes': {
    one: 'You will be signed out in {count} minute.',
    other: 'You will be signed out in {count} minutes.',
  },
  'timeout.dialog.seconds': {
    one: 'You will be signed out in {count} second.',
    other: 'You will be signed out in {count} seconds.',
  },
  'timeout.dialog.unsaved': 'Anything you have not saved will be lost.',
  'timeout.dialog.stay': 'Stay signed in',

  'home.title': 'Home',
  'home.findPrisoner': 'Find a prisoner',
  'home.noCaseAccess':
    'Your role manages accounts, facilities and instruments. It gives no access to prisoners’ records.',
  'home.reviewsDue.title': 'Reassessments and reviews due',
  'home.reviewsDue.caption': 'Reassessments and reviews due in your facilities, earliest first',
  'home.reviewsDue.due': 'Due',
  'home.reviewsDue.prisoner': 'Prisoner',
  'home.reviewsDue.what': 'Work',
  'home.reviewsDue.why': 'Why',
  'home.reviewsDue.overdue': 'Overdue',
  'home.reviewsDue.none': 'Nothing is due in your facilities in the next 30 days.',
  'due.kind.reassessment': 'Reassessment',
  'due.kind.plan_review': 'Plan review',
  'due.reason.scheduled': 'Scheduled review date',
  'due.reason.event': 'After an event',
  'due.reason.pre_release': 'Before release',
  'due.reason.intake': 'No assessment yet',
  'due.reason.needs_changed': 'Assessed needs have changed',

  'search.title': 'Find a prisoner',
  'search.formLabel': 'Prisoner search',
  'search.q': 'Prison number or name',
  'search.qHint': 'The start of a prison number, given name or family name',
  'search.facility': 'Facility',
  'search.allFacilities': 'All your facilities',
  'search.submit': 'Search',
  'search.results': 'Search results',
  'search.caseload': 'Prisoners in your facilities',
  'search.flags': 'Status',
  'search.none': 'No prisoners in your facilities match your search.',
  'search.errors.q': 'Enter at most 100 characters',
  'search.errors.facility': 'Select one of your facilities',
  'search.errors.cursor': 'The page link is not valid: search again',

  'prisoner.identity': 'Prisoner',
  'prisoner.prisonNumber': 'Prison number',
  'prisoner.name': 'Name',
  'prisoner.givenName': 'Given name',
  'prisoner.familyName': 'Family name',
  'prisoner.dateOfBirth': 'Date of birth',
  'prisoner.sex.label': 'Sex',
  'prisoner.sex.female': 'Female',
  'prisoner.sex.male': 'Male',
  'prisoner.sex.other': 'Other',
  'prisoner.legalStatus.label': 'Legal status',
  'prisoner.legalStatus.remand': 'Remand (untried, presumed innocent)',
  'prisoner.legalStatus.sentenced': 'Sentenced',
  'prisoner.facility': 'Facility',
  'prisoner.expectedRelease': 'Expected release date',
  'prisoner.flags.remand': 'Remand',
  'prisoner.flags.remandLong': 'Remand: presumed innocent',
  'prisoner.flags.under18': 'Under 18',
  'prisoner.particulars': 'Particulars',
  'prisoner.history.title': 'Facility history',
  'prisoner.history.from': 'From',
  'prisoner.history.to': 'To',
  'prisoner.history.reason': 'Reason',
  'prisoner.history.current': 'Now',
  'prisoner.history.admission': 'Admission',
  'prisoner.tabs.label': 'Prisoner record',
  'prisoner.tabs.overview': 'Overview',
  'prisoner.tabs.assessments': 'Assessments',
  'prisoner.tabs.risk': 'Risk over time',
  'prisoner.tabs.plan': 'Plan',
  'prisoner.tabs.events': 'Events',

  'assessments.caption': 'Every revision of every assessment, newest first',
  'assessments.instrument': 'Instrument',
  'assessments.revision': 'Revision',
  'assessments.status': 'Status',
  'assessments.reason': 'Reason',
  'assessments.dates': 'Dates',
  'assessments.finalLevel': 'Final level',
  'assessments.started': 'Started {date}',
  'assessments.approved': 'Approved {date}',
  'assessments.nextReview': 'Next review {date}',
  'assessments.none': 'No assessments have been recorded for this prisoner.',
  'assessment.status.draft': 'Draft',
  'assessment.status.submitted': 'Awaiting countersignature',
  'assessment.status.returned': 'Returned',
  'assessment.status.approved': 'Approved',
  'assessment.status.cancelled': 'Cancelled',
  'assessment.status.superseded': 'Superseded',
  'assessment.reason.intake': 'Intake',
  'assessment.reason.periodic': 'Periodic',
  'assessment.reason.event': 'After an event',

  'risk.intro':
    'Final risk levels of approved assessments over time. The same information is in the table below the chart.',
  'risk.chart.caption': 'Final risk level over time: {instrument}',
  'risk.chart.description': {
    one: '{count} approved assessment, on {first}: {level}.',
    other: '{count} approved assessments from {first} to {last}. Latest level: {level}.',
  },
  'risk.chart.version': 'Version {version}',
  'risk.table.caption': 'Approved assessments',
  'risk.table.approved': 'Approved',
  'risk.table.indicative': 'Indicative level',
  'risk.illustrative':
    'Indicative levels are computed by the instrument’s rules as an aid to judgement; they are illustrative, not predictive.',
  'risk.none': 'No approved assessment yet.',

  'plans.caption': 'Disengagement plans, newest first',
  'plans.status': 'Status',
  'plans.revision': 'Revision',
  'plans.created': 'Created',
  'plans.approved': 'Approved',
  'plans.ended': 'Completed or closed',
  'plans.none': 'This prisoner has no disengagement plan.',
  'plan.status.draft': 'Draft',
  'plan.status.pending_approval': 'Awaiting approval',
  'plan.status.active': 'Active',
  'plan.status.suspended': 'Suspended',
  'plan.status.completed': 'Completed',
  'plan.status.closed': 'Closed',

  'events.caption': 'Events in custody, newest first',
  'events.occurred': 'When',
  'events.type': 'Event',
  'events.note': 'Note',
  'events.recordedBy': 'Recorded by',
  'events.none': 'No events have been recorded.',
  'event.type.transfer': 'Transfer',
  'event.type.serious_incident': 'Serious incident',
  'event.type.new_information': 'New information',
  'event.type.programme_milestone': 'Programme milestone',
  'event.type.legal_status_change': 'Legal status change',
  'event.type.pre_release': 'Release approaching',
  'event.type.parole_review': 'Parole review',
  'event.type.assessment_challenged': 'Assessment challenged',

  'prisonerNotFound.title': 'Prisoner not found',
  'prisonerNotFound.text': 'There is no prisoner with this reference in your facilities.',
  'prisonerNotFound.search': 'Search for a prisoner',
  'emergency.title': 'Emergency access',
  'emergency.intro':
    'If you must read this record now to protect someone, you can open it for {duration}. You will be able to read it, not change it.',
  'emergency.warning':
    'A supervisor reviews every emergency access, with your reason and everything you read. Only continue if it cannot wait.',
  'emergency.reason': 'Why do you need this record now?',
  'emergency.reasonHint': 'At least 20 characters. The supervisor reads this.',
  'emergency.submit': 'Open the record with emergency access',
  'emergency.errors.reason': 'Enter why you need this record now, in at least 20 characters',
  'emergency.banner.title': 'Emergency access',
  'emergency.banner.text':
    'You are reading this record with emergency access until {time}. A supervisor will review it.',

  ...plansEn,
  ...oversightEn,
  ...inspectionEn,
  ...recordsEn,
  ...rightsEn,
  ...adminEn,
  ...enAssessments,
  ...trainingEn,
  ...enSpj,
  ...enTeam,
} as const;
