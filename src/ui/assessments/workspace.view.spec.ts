import { describe, expect, it } from '@jest/globals';
import type { AssessmentResponse } from '../../assessments/dto/assessment.dto.js';
import type { InstrumentDefinition } from '../../instruments/rule-sets/rule-set.types.js';
import { translator } from '../i18n/catalogue.js';
import { durationText } from './summary.view.js';
import {
  domainStatus,
  itemStatus,
  reasonHref,
  reasonLinks,
  sectionStatus,
  taskListModel,
} from './workspace.view.js';

const item = (code: string, need?: string) => ({
  code,
  prompt: `Prompt ${code}`,
  guidance: '',
  kind: 'risk' as const,
  scale: 'concern',
  confidentiality: 'standard' as const,
  ...(need ? { need } : {}),
});

const definition = {
  key: 'test',
  version: '1.0.0',
  title: 'Test instrument',
  purpose: 'risk',
  levels: [{ code: 'low', label: 'Low' }],
  scales: [
    { code: 'concern', label: 'Concern', options: [{ code: 'low', label: 'Low', score: 0 }] },
  ],
  domains: [
    { code: 'AA', title: 'Domain A', items: [item('A1', 'ideology'), item('A2')] },
    { code: 'BB', title: 'Domain B', items: [item('B1')] },
  ],
  minimumRated: { requireAllAnswered: true, overallPercent: 50, perDomainPercent: 50 },
  evidence: { notRatedReasonRequired: true, rules: [] },
  review: { intervals: { low: 'P1Y' }, triggers: [] },
} as unknown as InstrumentDefinition;

const assessment = (fields: Partial<AssessmentResponse>): AssessmentResponse =>
  ({
    id: 'a1',
    status: 'draft',
    view: 'full',
    recommendations: [],
    ratings: {},
    indicative: { reasons: [], canSubmit: false },
    ...fields,
  }) as AssessmentResponse;

describe('completion states from the ratings', () => {
  it('an item is not started, in progress while the rules still ask for something, or completed', () => {
    const ratings = { A1: { value: 'low' }, A2: { evidenceFor: 'Some' }, B1: { notRated: true } };
    const reasons = [
      { code: 'not_rated_reason_required', message: '', item: 'B1', field: 'reason' },
    ];
    expect(itemStatus('A1', ratings, reasons)).toBe('completed');
    expect(itemStatus('A2', ratings, reasons)).toBe('in_progress');
    expect(itemStatus('B1', ratings, reasons)).toBe('in_progress');
    expect(itemStatus('A3', ratings, reasons)).toBe('not_started');
  });

  it('a domain is completed only when every item is and its minimum is met', () => {
    const domain = definition.domains[0];
    expect(domainStatus(domain, {}, [])).toEqual({ status: 'not_started', completed: 0 });
    const all = { A1: { value: 'low' }, A2: { notRated: true, reason: 'No file' } };
    expect(domainStatus(domain, all, [])).toEqual({ status: 'completed', completed: 2 });
    const minimum = [{ code: 'minimum_rated', message: '', domain: 'AA' }];
    expect(domainStatus(domain, all, minimum).status).toBe('in_progress');
  });

  it('the judgement is in progress while a departure from the band has no rationale', () => {
    const reasons = [{ code: 'rationale_required', message: '' }];
    const a = assessment({
      finalRiskLevel: 'low',
      indicative: { indicativeLevel: 'moderate', domains: [], reasons },
    });
    expect(sectionStatus('judgement', a, definition, reasons)).toBe('in_progress');
    expect(sectionStatus('judgement', assessment({}), definition, [])).toBe('not_started');
    expect(sectionStatus('formulation', assessment({ formulation: ' ' }), definition, [])).toBe(
      'not_started',
    );
  });

  it('the task list counts the required tasks and offers needs where the instrument rates them', () => {
    const model = taskListModel(assessment({}), definition, translator('en'));
    expect(model.domains.map((d) => d.href)).toEqual([
      '/assessments/a1/domains/AA',
      '/assessments/a1/domains/BB',
    ]);
    expect(model.sections.map((s) => s.title.text)).toEqual([
      'Formulation and scenarios',
      'Needs',
      'Recommendations',
      'Prisoner participation',
      'Final judgement',
    ]);
    expect(model.progress).toEqual({ done: 0, total: 5 });
    const optionalDone = taskListModel(
      assessment({
        recommendations: [{ text: 'x', tag: 'security' }],
        needs: [{ code: 'ideology', priority: 'high' }],
      }),
      definition,
      translator('en'),
    );
    expect(optionalDone.progress).toEqual({ done: 0, total: 5 });
  });
});

describe('refusals link to the field they concern', () => {
  it('names the item and jumps to the exact field on its page', () => {
    expect(
      reasonHref('a1', { code: 'evidence_required', message: '', item: 'A1', field: 'sources' }),
    ).toBe('/assessments/a1/items/A1#sources');
    expect(reasonHref('a1', { code: 'unanswered', message: '', item: 'A2' })).toBe(
      '/assessments/a1/items/A2#rating',
    );
    expect(reasonHref('a1', { code: 'minimum_rated', message: '', domain: 'BB' })).toBe(
      '/assessments/a1/domains/BB',
    );
    expect(reasonHref('a1', { code: 'rationale_required', message: '' })).toBe(
      '/assessments/a1/judgement#finalRationale',
    );
    expect(reasonHref('a1', { code: 'needs_required', message: '' }, 'ideology')).toBe(
      '/assessments/a1/needs#need-ideology',
    );
    const links = reasonLinks(
      [
        {
          code: 'evidence_required',
          message: 'A1 rated high needs sources',
          item: 'A1',
          field: 'sources',
        },
      ],
      definition,
      assessment({}),
      translator('ru'),
    );
    expect(links).toEqual([
      {
        text: 'A1 Prompt A1: отметьте использованные источники',
        href: '/assessments/a1/items/A1#sources',
      },
    ]);
  });
});

describe('durations from the rule-set', () => {
  it('reads ISO-8601 in words, with Russian plural forms', () => {
    expect(durationText('P3M', translator('en'))).toBe('3 months');
    expect(durationText('P1Y', translator('en'))).toBe('1 year');
    expect(durationText('P5M', translator('ru'))).toBe('5 месяцев');
    expect(durationText('P14D', translator('ru'))).toBe('14 дней');
    expect(durationText('nonsense', translator('en'))).toBe('nonsense');
  });
});
