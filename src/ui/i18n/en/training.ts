/** English: training and calibration on fictional practice cases. */
export const trainingEn = {
  'nav.training': 'Training',
  'nav.calibration': 'Calibration',

  'training.banner.title': 'Training: fictional case',
  'training.banner.text':
    'This is a fictional practice case for training. Nothing you enter here is part of any real case file.',

  'training.list.title': 'Training and calibration',
  'training.list.intro':
    'Rate fictional practice cases with the same instruments and rules as a real assessment. After you submit, you see item by item where you differ from the reference ratings and why, and your agreement. Meeting an instrument’s certification rule certifies you for it.',
  'training.list.cases': 'Practice cases',
  'training.list.case': 'Case',
  'training.list.instrument': 'Instrument',
  'training.list.state': 'Your work',
  'training.list.continue': 'Continue rating',
  'training.list.rated': { one: 'Rated once', other: 'Rated {count} times' },
  'training.list.none': 'There are no practice cases yet.',

  'training.progress.title': 'Your certification',
  'training.progress.cases': 'Practice cases rated',
  'training.progress.casesValue': '{done} of {total} needed',
  'training.progress.agreement': 'Agreement with the reference',
  'training.progress.notYet': 'Not measured yet',
  'training.progress.minimum': 'at least {minimum} needed',
  'training.progress.certification': 'Certification',
  'training.progress.certifiedUntil': 'Certified until {date}',

  'training.status.notStarted': 'Not started',
  'training.status.certified': 'Certified',
  'training.status.recalibration_due': 'Recalibration due',
  'training.status.expired': 'Expired',
  'training.status.not_certified': 'Not certified',

  'training.case.author': 'Case author',
  'training.case.reviewer': 'Reference approved by',
  'training.case.file': 'Case file',
  'training.case.start': 'Start rating this case',

  'training.section.background': 'Background',
  'training.section.interview': 'Interview',
  'training.section.incident_report': 'Incident report',
  'training.section.file_note': 'File note',
  'training.section.third_party': 'Third-party information',
  'training.section.observation': 'Observation',

  'training.attempt.caseFile': 'Case file',
  'training.attempt.caseFileNewTab': 'Open the case file (new tab)',
  'training.attempt.submitHint':
    'When you submit, the reference ratings and their reasoning are shown. You cannot change the attempt afterwards.',
  'training.attempt.submit': 'Submit and compare with the reference',

  'training.item.notRated': 'Not rated',

  'training.results.title': 'Your ratings compared with the reference',
  'training.results.certified': 'You are certified',
  'training.results.exact': 'Exact agreement',
  'training.results.compared': { one: '{count} item compared', other: '{count} items compared' },
  'training.results.adjacent': 'Within one step',
  'training.results.kappa': 'Weighted kappa (linear)',
  'training.results.final': 'Final judgement',
  'training.results.finalValue': 'Yours: {mine}. Reference: {reference}.',
  'training.results.needsMatch': '{percent}% of the reference needs with the same priority.',
  'training.results.ruleMet': 'The certification rule is met.',
  'training.results.ruleNotMet': 'The certification rule is not met yet:',
  'training.results.items': 'Item by item',
  'training.results.item': 'Item',
  'training.results.yours': 'Your rating',
  'training.results.reference': 'Reference',
  'training.results.outcome': 'Agreement',
  'training.results.reasoning': 'Reasoning of the reference',
  'training.outcome.exact': 'Same',
  'training.outcome.adjacent': 'One step apart',
  'training.outcome.differs': 'Differs',
  'training.outcome.not_comparable': 'Not compared',

  'training.overview.title': 'Calibration of your facilities’ staff',
  'training.overview.intro':
    'Certification status of the staff who assess in your facilities, who is due to recalibrate, and how well each item is rated across all practice-case attempts.',
  'training.overview.people': 'Staff',
  'training.overview.person': 'Name',
  'training.overview.until': 'until {date}',
  'training.overview.personAgreement': '{cases} cases rated, kappa {kappa}',
  'training.overview.noPeople': 'No assessing staff in your facilities.',
  'training.overview.items': 'Agreement per item',
  'training.overview.itemsIntro':
    'Items with the lowest exact agreement first: the ones training should give more time to.',
  'training.overview.ratings': 'Ratings compared',
  'training.overview.noItems': 'No practice case has been submitted yet.',

  'training.errors.stale':
    'This attempt changed since you opened the page (perhaps in another tab). Reload it and enter your change again.',

  'training.workspace.fictional': 'Fictional case',
  'training.workspace.title': 'Rate the practice case',
  'training.workspace.backToCase': 'Back to the case file',
  'training.workspace.submitTitle': 'Submit and compare with the reference',
  'training.workspace.changedElsewhere':
    'You changed this practice rating in another window or tab.',
  'training.results.icc': 'Intraclass correlation (ICC)',
  'training.results.notMeasurable': 'not measurable',
  'training.results.statsTitle': 'What these figures mean',
  'training.results.statsNote':
    "Exact agreement is the share of items you rated exactly as the reference did; within one step also counts ratings one point apart. Kappa and the ICC correct for agreement you would reach by chance: 1 is perfect agreement, 0 is no better than chance, and about 0.6 or more is usually taken as good enough to assess real cases. Kappa compares your ratings as categories, weighting near misses as partly right; the ICC treats the ordered scale as scores and asks how closely your scores match the reference's, so rating everything one step too high lowers it. With few items, both figures move a lot from one case to the next.",
  'training.overview.personIcc': 'ICC {icc}',
  'training.overview.statsNote':
    'Kappa and ICC are pooled over every item a person has rated on the practice cases: 1 is perfect agreement with the reference, 0 is no better than chance, about 0.6 or more is usually taken as good. Kappa weights near misses as partly right; the ICC also falls when someone rates consistently too high or too low.',
} as const;
