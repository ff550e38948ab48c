/** English: the security officer's prisoner-record pages. */
export const recordsEn = {
  'records.cancel': 'Cancel',
  'records.chooseFacility': 'Choose a facility',
  'records.home.title': 'Prisoner records',
  'records.home.find': 'Find a prisoner’s record',
  'records.home.intro':
    'Correct a record, transfer a prisoner or record an event from the prisoner’s overview.',
  'records.actions.edit': 'Correct the record',
  'records.actions.transfer': 'Transfer to another facility',
  'records.actions.event': 'Record an event',
  'records.actions.summary': 'Risk summary and plan logistics',

  'records.field.prisonNumber': 'Prison number',
  'records.field.givenName': 'Given name',
  'records.field.familyName': 'Family name',
  'records.field.dateOfBirth': 'Date of birth',
  'records.field.sex': 'Sex',
  'records.field.legalStatus': 'Legal status',
  'records.field.facility': 'Facility',
  'records.field.expectedReleaseDate': 'Expected release date',
  'records.hint.prisonNumber': '2 to 32 letters, digits, dots, dashes or slashes',
  'records.hint.legalStatus': 'A prisoner on remand is untried and presumed innocent',
  'records.hint.optional': 'Optional',
  'records.errors.prisonNumber':
    'Enter a prison number of 2 to 32 letters, digits, dots, dashes or slashes',
  'records.errors.givenName': 'Enter the given name, in at most 100 characters',
  'records.errors.familyName': 'Enter the family name, in at most 100 characters',
  'records.errors.dateOfBirth': 'Enter a date of birth in the past',
  'records.errors.sex': 'Choose the sex recorded',
  'records.errors.legalStatus': 'Choose the legal status',
  'records.errors.facility': 'Choose one of your facilities',
  'records.errors.release': 'Enter an expected release date after the date of birth',
  'records.errors.numberTaken': 'This prison number is already recorded: search for the prisoner',
  'records.errors.numberUnavailable':
    'This prison number cannot be used for a new record. If the prisoner is held elsewhere, the holding facility transfers the record.',

  'records.new.title': 'Record a prisoner',
  'records.new.minimal':
    'A record holds what the service needs and no more. There is no field for religion, ethnicity or political opinion: they are never recorded (Mandela Rule 2).',
  'records.new.button': 'Record the prisoner',

  'records.edit.title': 'Correct the record',
  'records.edit.button': 'Save the correction',
  'records.edit.conflict':
    'Someone changed this record at {time}, after you opened it. Your correction has not been saved.',
  'records.edit.compare': 'Your version and the record now',
  'records.edit.field': 'Field',
  'records.edit.yours': 'Your version',
  'records.edit.theirs': 'The record now',
  'records.edit.differs': 'Differs',
  'records.edit.conflictHint':
    'The form below holds your version. Check it against the record now, then save it again, or cancel to keep the record as it is.',
  'records.edit.saveAgain': 'Save my version',

  'records.actions.discharge': 'Record discharge',
  'records.actions.readmit': 'Readmit',
  'records.discharge.title': 'Record discharge',
  'records.discharge.intro':
    'A discharge takes the prisoner off the roll. Reassessments and plan reviews stop being due; complaint and challenge answers are still owed, and once released the official copy on release is due that day.',
  'records.discharge.date': 'Date of discharge',
  'records.discharge.reasonLabel': 'Reason',
  'records.discharge.reason.released': 'Released',
  'records.discharge.reason.transferred_to_another_service': 'Transferred to another service',
  'records.discharge.reason.deceased': 'Deceased',
  'records.discharge.reason.other': 'Other',
  'records.discharge.note': 'Note (optional)',
  'records.discharge.noteHint':
    'Up to 2,000 characters. Kept on the record; not in the audit trail.',
  'records.discharge.button': 'Record discharge',
  'records.discharge.errors.date':
    'Enter the date of discharge: not in the future, nor before the record was created',
  'records.discharge.errors.reason': 'Choose the reason',
  'records.discharge.errors.note': 'The note must be 2,000 characters or fewer',
  'records.discharge.errors.version':
    'Someone changed the record while you were working. Check it, then submit again.',
  'records.discharged.title': 'Discharged',
  'records.discharged.text': 'Discharged on {date} ({reason}).',
  'records.readmit.title': 'Readmit',
  'records.readmit.intro':
    'Readmission puts the prisoner back on the roll in this facility: a discharge recorded in error, or a return to custody.',
  'records.readmit.date': 'Date of readmission',
  'records.readmit.note': 'Reason (optional)',
  'records.readmit.noteHint': 'Up to 1,000 characters. Kept in the facility history.',
  'records.readmit.button': 'Readmit',
  'records.readmit.errors.date':
    'Enter the date of readmission: not in the future, nor before the discharge',
  'records.readmit.errors.note': 'The reason must be 1,000 characters or fewer',
  'records.transfer.title': 'Transfer to another facility',
  'records.transfer.checkTitle': 'Check the transfer',
  'records.transfer.from': 'Held now in {facility}.',
  'records.transfer.fromLabel': 'From',
  'records.transfer.intro':
    'The facility history keeps every move. A transfer makes reassessments due under the prisoner’s assessments, in the receiving facility.',
  'records.transfer.to': 'To',
  'records.transfer.reason': 'Reason for the transfer',
  'records.transfer.reasonHint': 'At least 5 characters. It is kept in the facility history.',
  'records.transfer.continue': 'Continue',
  'records.transfer.consequences':
    'Once transferred, the record is held by the receiving facility. If it is not one of yours, you will no longer see it.',
  'records.transfer.confirm': 'Confirm the transfer',
  'records.transfer.errors.facility': 'Choose the receiving facility',
  'records.transfer.errors.reason': 'Enter the reason, in 5 to 1,000 characters',
  'records.transferred.title': 'Transfer recorded',
  'records.transferred.text': '{name} ({number}) is now held in {facility}.',
  'records.transferred.due':
    'The staff of the receiving facility see the reassessments and reviews the transfer makes due.',
  'records.transferred.open': 'Open the record',
  'records.transferred.outside':
    'The receiving facility is not one of yours: the record is now theirs.',

  'records.event.title': 'Record an event',
  'records.event.intro':
    'An event can make a reassessment or a plan review due under the prisoner’s approved assessments. You will see what it makes due.',
  'records.event.type': 'What happened',
  'records.event.hint.serious_incident': 'Violence, a threat, or a serious breach of the rules',
  'records.event.hint.new_information':
    'Intelligence or information that may change the assessment',
  'records.event.hint.legal_status_change': 'Sentenced, appeal decided, charges changed',
  'records.event.hint.assessment_challenged':
    'The prisoner or their lawyer challenges an assessment',
  'records.event.hint.intelligence_received':
    'Information from the security or intelligence service; record only what the case team may know',
  'records.event.hint.intervention_refused':
    'The person declined or withdrew from a planned intervention',
  'records.event.hint.disciplinary_finding':
    'A disciplinary hearing found a breach of the rules proven',
  'records.event.hint.self_harm': 'An act of self-harm; health care is informed separately',
  'records.event.hint.hunger_strike':
    'Refusing food as a protest; health care is informed separately',
  'records.event.hint.separation_order':
    'An order separating the person from others (see restrictive measures)',
  'records.event.hint.release_date_change':
    'The expected release date moved (appeal, remission, new sentence)',
  'records.event.date': 'Date',
  'records.event.time': 'Time',
  'records.event.timeHint': 'For example 14:30',
  'records.event.note': 'What happened',
  'records.event.noteHint': 'Facts for the staff who reassess. Optional.',
  'records.event.button': 'Record the event',
  'records.event.recordedTitle': 'Event recorded',
  'records.event.recordedPanel': 'Event recorded',
  'records.event.makesDue': 'What it makes due',
  'records.event.what': 'Work',
  'records.event.reassess': 'Reassessment',
  'records.event.review': 'Review',
  'records.event.nothingDue':
    'It makes nothing due under the prisoner’s current approved assessments.',
  'records.event.all': 'All events of this prisoner',
  'records.event.errors.type': 'Choose what happened',
  'records.event.errors.date': 'Enter the date it happened',
  'records.event.errors.time': 'Enter the time it happened, for example 14:30',
  'records.event.errors.when': 'Enter a date and time that are not in the future',
  'records.event.errors.note': 'Enter at most 4,000 characters',

  'records.summary.title': 'Risk summary',
  'records.summary.risk': 'Latest approved risk assessment',
  'records.summary.level': 'Final risk level',
  'records.summary.approved': 'Approved',
  'records.summary.nextReview': 'Next review due',
  'records.summary.recommendations': 'Security recommendations',
  'records.summary.noRecommendations': 'None',
  'records.summary.noRisk': 'No risk assessment has been approved for this prisoner.',
  'records.summary.plan': 'Disengagement plan: what happens where and when',
  'records.summary.planLink': 'Open the plan',
  'records.summary.noPlan': 'The prisoner has no open disengagement plan.',
} as const;
