/**
 * English: structured professional judgement in depth (provisional judgement before the band,
 * judgements per outcome, relevance, structured scenarios, appraisal), spread into en.ts.
 */
export const enSpj = {
  'assessment.item.relevance': 'Relevance to this person (optional)',
  'assessment.item.relevanceHint':
    'How much this factor matters to this person’s pathway, whatever its rating. A factor can be present but of little relevance, or rated low and still decisive.',
  'assessment.item.relevance.low': 'Low relevance',
  'assessment.item.relevance.moderate': 'Moderate relevance',
  'assessment.item.relevance.high': 'High relevance',
  'assessment.item.errors.relevance': 'Select the relevance from the list',
  'assessment.item.historical':
    'History: shown as context. This item is never used by the indicative bands.',

  'assessment.scenarios.structuredHint':
    'For each scenario say what kind it is, who could be harmed, how serious and how soon, the warning signs, what could set it off and what would manage it.',
  'assessment.scenarios.type': 'Kind of scenario',
  'assessment.scenarios.type.repeat': 'Repeat: like harm in the past',
  'assessment.scenarios.type.twist': 'Twist: a different form of harm',
  'assessment.scenarios.type.escalation': 'Escalation: worse than before',
  'assessment.scenarios.type.improvement': 'Improvement: the best realistic case',
  'assessment.scenarios.likelyTargets': 'Likely targets',
  'assessment.scenarios.likelyTargetsHint':
    'Who or what could be harmed. Describe people and places, not a group as such.',
  'assessment.scenarios.severity': 'Severity',
  'assessment.scenarios.severity.limited': 'Limited harm',
  'assessment.scenarios.severity.serious': 'Serious harm',
  'assessment.scenarios.severity.grave': 'Life-threatening harm or harm to many people',
  'assessment.scenarios.imminence': 'Imminence',
  'assessment.scenarios.imminence.not_imminent': 'No sign that it is imminent',
  'assessment.scenarios.imminence.months': 'Could occur within months',
  'assessment.scenarios.imminence.weeks': 'Could occur within weeks or sooner',
  'assessment.scenarios.warningSigns': 'Warning signs',
  'assessment.scenarios.triggers': 'Triggers',
  'assessment.scenarios.managementActions': 'Management actions',
  'assessment.scenarios.typeOf': 'Scenario {number}: kind',
  'assessment.scenarios.likelyTargetsOf': 'Scenario {number}: likely targets',
  'assessment.scenarios.severityOf': 'Scenario {number}: severity',
  'assessment.scenarios.imminenceOf': 'Scenario {number}: imminence',
  'assessment.scenarios.warningSignsOf': 'Scenario {number}: warning signs',
  'assessment.scenarios.triggersOf': 'Scenario {number}: triggers',
  'assessment.scenarios.managementActionsOf': 'Scenario {number}: management actions',
  'assessment.scenarios.errors.field': 'Choose from the list, or write 4,000 characters or fewer',

  'assessment.appraisal.title': 'How far the assessment can be relied on',
  'assessment.appraisal.confidence': 'Overall confidence in the judgement',
  'assessment.appraisal.confidence.low': 'Low',
  'assessment.appraisal.confidence.medium': 'Medium',
  'assessment.appraisal.confidence.high': 'High',
  'assessment.appraisal.informationQuality': 'Quality of the information',
  'assessment.appraisal.informationQualityHint':
    'The range and reliability of the sources, including collateral information beyond what the person said.',
  'assessment.appraisal.limitations': 'Limitations of this assessment',
  'assessment.appraisal.limitationsHint':
    'Missing information, what could not be checked, and how it limits the judgement.',
  'assessment.appraisal.indexFacts': 'The person’s position on the index facts',
  'assessment.appraisal.indexFacts.admits': 'Admits them',
  'assessment.appraisal.indexFacts.partly_admits': 'Admits them in part',
  'assessment.appraisal.indexFacts.denies': 'Denies them',
  'assessment.appraisal.indexFacts.not_applicable': 'Not applicable (for example on remand)',
  'assessment.appraisal.errors.field': 'Choose from the list, or write 10,000 characters or fewer',

  'assessment.judgement.provisionalTitle': 'Your provisional judgement',
  'assessment.judgement.provisionalIntro':
    'Record your own judgement first. The instrument’s indicative band is shown once you have recorded it, so that the band informs your judgement rather than anchors it. The provisional judgement is kept as recorded.',
  'assessment.judgement.provisionalLevel': 'Provisional overall level',
  'assessment.judgement.provisionalOf': 'Provisional: {judgement}',
  'assessment.judgement.recordProvisional': 'Record the provisional judgement',
  'assessment.judgement.provisionalRecorded': 'Provisional judgement recorded on {date}',
  'assessment.judgement.provisionalNone': 'Not recorded',
  'assessment.judgement.withheld':
    'The indicative band is shown after you record your provisional judgement.',
  'assessment.judgement.judgementsTitle': 'Judgements',
  'assessment.judgement.judgementsIntro':
    'Record a final level and the reasons for each outcome the instrument asks about.',
  'assessment.judgement.levelOf': '{judgement}: final level',
  'assessment.judgement.rationaleOf': '{judgement}: rationale',
  'assessment.judgement.indicativeOf': 'Indicative: {level}',
  'assessment.judgement.noIndicative': 'No indicative band',
  'assessment.judgement.errors.provisional': 'Select a provisional level for each judgement',
  'assessment.judgement.everyRationale':
    'Explain every final judgement, whether or not it matches the indicative band.',

  'assessment.refusal.provisional': 'Record your provisional judgement',
  'assessment.refusal.finalRationale': 'Explain the final judgement',
  'assessment.refusal.judgementLevel': '{judgement}: select the final level',
  'assessment.refusal.judgementRationale': '{judgement}: explain the final level',
  'assessment.refusal.scenarios':
    'Describe each scenario in full: kind, likely targets, severity, imminence, warning signs, triggers and management actions',
  'assessment.refusal.appraisal': 'Record {field}',

  'assessment.judgement.flagRule': 'Raised by the rule',
  'assessment.view.warnings': 'Warnings shared with you',
  'assessment.view.warningSince': 'since',
  'assessment.view.judgements': 'Judgements',
  'assessment.view.provisional': 'Provisional judgement',
  'assessment.view.appraisal': 'Reliance on the assessment',
} as const;
