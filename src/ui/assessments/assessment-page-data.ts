import { Injectable } from '@nestjs/common';
import { asSubject } from '../../access/ability.factory.js';
import { isEditable } from '../../assessments/assessment-rules.js';
import { AssessmentsService } from '../../assessments/assessments.service.js';
import type { AssessmentResponse } from '../../assessments/dto/assessment.dto.js';
import type { RequestContext } from '../../auth/request-context.js';
import { notFound } from '../../errors/problem.exception.js';
import {
  InstrumentsService,
  type InstrumentVersion,
} from '../../instruments/instruments.service.js';
import {
  localizeCatalogue,
  localizeInstrument,
} from '../../instruments/rule-sets/localize-rule-set.js';
import type {
  InstrumentDefinition,
  InterventionCatalogue,
  RuleSetLocale,
} from '../../instruments/rule-sets/rule-set.types.js';
import { compareSemVer, parseSemVer, satisfiesRange } from '../../instruments/rule-sets/semver.js';
import type { PrisonerResponse } from '../../prisoners/dto/prisoner.dto.js';
import { PrisonersService } from '../../prisoners/prisoners.service.js';
import type { PageState } from '../common/page-state.js';
import { prisonerFrame } from '../prisoners/prisoner.view.js';
import { assessmentRoot, reasonsOf } from './workspace.view.js';

/** An assessment page's data: the assessment in the caller's view, its instrument, the prisoner. */
export interface LoadedAssessment {
  assessment: AssessmentResponse;
  definition: InstrumentDefinition;
  prisoner: PrisonerResponse;
  /** The pinned instrument version's id: an instrument's `team` rules are written on it. */
  instrumentVersionId: string;
}

/** The most assessments whose instrument version is remembered (immutable: pinned at start). */
const REMEMBERED = 2000;

/**
 * Loads what the assessment pages show, through the same services as the API (so each read is
 * checked and audited as the API's is), and works out what the caller may do on the page from
 * the service's own answer and the caller's abilities on this assessment.
 */
@Injectable()
export class AssessmentPageData {
  /** Assessment id -> its pinned instrument version, so that a save needs no read first. */
  private readonly instrumentOf = new Map<string, { key: string; version: string }>();

  constructor(
    readonly assessments: AssessmentsService,
    private readonly instruments: InstrumentsService,
    private readonly prisoners: PrisonersService,
  ) {}

  /** With `locale`, the instrument's text is in that language where the rule-set has it. */
  async load(ctx: RequestContext, id: string, locale?: RuleSetLocale): Promise<LoadedAssessment> {
    return this.complete(await this.assessments.get(ctx, id), ctx, locale);
  }

  /** The prisoner and instrument of an assessment the caller has already read. */
  async complete(
    assessment: AssessmentResponse,
    ctx: RequestContext,
    locale?: RuleSetLocale,
  ): Promise<LoadedAssessment> {
    const [version, prisoner] = await Promise.all([
      this.version(assessment.instrument),
      this.prisoners.get(ctx, assessment.prisonerId),
    ]);
    this.remember(assessment);
    return {
      assessment,
      definition: await this.localized(version, locale),
      prisoner,
      instrumentVersionId: version.id,
    };
  }

  /** The pinned instrument of an assessment, remembered from an earlier page or read now. */
  async instrumentFor(
    ctx: RequestContext,
    id: string,
    locale?: RuleSetLocale,
  ): Promise<InstrumentDefinition> {
    const known = this.instrumentOf.get(id);
    if (known) return this.definition(known, locale);
    const assessment = await this.assessments.get(ctx, id);
    this.remember(assessment);
    return this.definition(assessment.instrument, locale);
  }

  /**
   * The one way instrument text reaches the pages: the pinned version, with its titles,
   * prompts, guidance and labels in the page's language where the rule-set translates them.
   */
  async definition(
    instrument: { key: string; version: string },
    locale?: RuleSetLocale,
  ): Promise<InstrumentDefinition> {
    return this.localized(await this.version(instrument), locale);
  }

  /**
   * Where the pinned version has no text in `locale` for an entry, another version of the
   * instrument with the same text lends its translation (InstrumentsService.readableDefinition).
   */
  private async localized(
    version: InstrumentVersion,
    locale?: RuleSetLocale,
  ): Promise<InstrumentDefinition> {
    if (!locale) return version.definition as InstrumentDefinition;
    const readable = await this.instruments.readableDefinition(version);
    return localizeInstrument(readable as InstrumentDefinition, locale);
  }

  private async version(instrument: { key: string; version: string }) {
    const found = await this.instruments.getVersion(instrument.key, instrument.version);
    if (!found || found.kind !== 'instrument') throw notFound('Instrument');
    return found;
  }

  /** Need codes -> labels, from the intervention catalogue the instrument refers to. */
  async needLabels(
    definition: InstrumentDefinition,
    locale?: RuleSetLocale,
  ): Promise<Map<string, string>> {
    const labels = new Map<string, string>();
    const reference = definition.catalogue;
    if (!reference) return labels;
    const summary = (await this.instruments.list()).find((s) => s.key === reference.key);
    const newest = summary?.versions
      .filter((v) => v.status !== 'draft' && satisfiesRange(v.version, reference.version))
      .sort((x, y) => compareSemVer(parseSemVer(y.version)!, parseSemVer(x.version)!))[0];
    if (!newest) return labels;
    const found = await this.instruments.getVersion(reference.key, newest.version);
    if (found?.kind !== 'intervention-catalogue') return labels;
    const catalogue = locale
      ? localizeCatalogue(
          (await this.instruments.readableDefinition(found)) as InterventionCatalogue,
          locale,
        )
      : (found.definition as InterventionCatalogue);
    for (const need of catalogue.needs) labels.set(need.code, need.label);
    return labels;
  }

  /** What the page frame shows of the prisoner: identity bar and emergency banner. */
  frame(loaded: LoadedAssessment, ctx: RequestContext, state: PageState) {
    const { prisoner, emergency } = prisonerFrame(
      loaded.prisoner,
      'assessments',
      ctx.ability,
      state.grants,
      state.t,
    );
    const a = loaded.assessment;
    return {
      prisoner,
      emergency,
      workspace: {
        root: assessmentRoot(a.id),
        subject: prisoner.name,
        back: {
          href: `/prisoners/${loaded.prisoner.id}/assessments`,
          text: state.t('assessment.frame.backToPrisoner'),
        },
      },
      assessment: {
        id: a.id,
        revision: a.revision,
        status: a.status,
        instrument: a.instrument,
        view: a.view,
      },
    };
  }

  /**
   * Whether the caller is completing this assessment: its assessor, in the full view, while it
   * is a draft or returned (the submit check says `not_assessor` to anyone else).
   */
  editing(loaded: LoadedAssessment): boolean {
    const a = loaded.assessment;
    return (
      a.view === 'full' &&
      isEditable(a.status) &&
      a.indicative !== null &&
      a.indicative !== undefined &&
      !reasonsOf(a).some((r) => r.code === 'not_assessor')
    );
  }

  /** The actions the caller's abilities allow on this assessment in its current status. */
  actions(loaded: LoadedAssessment, ctx: RequestContext) {
    const a = loaded.assessment;
    const fields = {
      id: a.id,
      prisonerId: a.prisonerId,
      facilityId: loaded.prisoner.facility.id,
      assessorId: a.assessor?.id,
      instrumentVersionId: loaded.instrumentVersionId,
    };
    const can = (action: 'countersign' | 'create' | 'update') =>
      a.assessor !== undefined && ctx.ability.can(action, asSubject('Assessment', fields));
    const mine = a.assessor?.id === ctx.actor.id;
    return {
      countersign: a.status === 'submitted' && a.view === 'full' && !mine && can('countersign'),
      amend: a.status === 'approved' && a.view === 'full' && can('create'),
      cancel: ['draft', 'submitted', 'returned'].includes(a.status) && mine && can('update'),
      edit: this.editing(loaded),
      ...this.teamActions(loaded, ctx),
    };
  }

  /** Team working: contributions, the countersign assignment, the blind ratings. */
  private teamActions(loaded: LoadedAssessment, ctx: RequestContext) {
    const a = loaded.assessment;
    const fields = {
      facilityId: loaded.prisoner.facility.id,
      prisonerId: a.prisonerId,
      assessmentId: a.id,
    };
    return {
      contributions: ctx.ability.can('read', asSubject('Contribution', fields)),
      assign:
        ['draft', 'submitted', 'returned'].includes(a.status) &&
        ctx.ability.can('assign', asSubject('CountersignAssignment', fields)),
      // An amendment carries the ratings its revision's two assessors agreed: no blind sets.
      doubleRating: a.doubleRating === true && !a.supersedesId,
      agreedEarlier: a.doubleRating === true && !!a.supersedesId,
    };
  }

  private remember(a: AssessmentResponse): void {
    if (this.instrumentOf.has(a.id)) return;
    if (this.instrumentOf.size >= REMEMBERED) {
      this.instrumentOf.delete(this.instrumentOf.keys().next().value!);
    }
    this.instrumentOf.set(a.id, { key: a.instrument.key, version: a.instrument.version });
  }
}
