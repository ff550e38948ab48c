import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { asSubject } from '../../access/ability.factory.js';
import type { RequestContext } from '../../auth/request-context.js';
import { InstrumentsService } from '../../instruments/instruments.service.js';
import type {
  InstrumentDefinition,
  InterventionCatalogue,
  RuleSetDefinition,
  RuleSetLocale,
} from '../../instruments/rule-sets/rule-set.types.js';
import {
  localizeCatalogue,
  localizeInstrument,
} from '../../instruments/rule-sets/localize-rule-set.js';
import type { PlanResponse } from '../../plans/dto/plan.response.js';
import { PlansService } from '../../plans/plans.service.js';
import type { PrisonerResponse } from '../../prisoners/dto/prisoner.dto.js';
import { PrisonersService } from '../../prisoners/prisoners.service.js';
import type { FieldError } from '../../errors/problem.exception.js';
import { formErrors, type FieldMessages } from '../common/forms.js';
import { render } from '../common/render.js';
import { prisonerFrame } from '../prisoners/prisoner.view.js';
import { planModel, type PlanAbilities } from './plan.view.js';

/** A plan page's data: the plan in the caller's view, its prisoner, catalogue and rights. */
export interface PlanPage {
  plan: PlanResponse;
  prisoner: PrisonerResponse;
  catalogue: InterventionCatalogue | undefined;
  can: PlanAbilities;
  /** The level labels of the risk instrument the plan's intensity follows. */
  riskLevelLabel: string | null;
  /** Intervention titles by catalogue code (rule-set text), for views without them. */
  titles: Map<string, string>;
}

/**
 * Loads what every plan page shows, through the same services as the API (the plan, then its
 * prisoner for the identity bar: both reads audited), and renders plan pages in the prisoner's
 * frame with the Plan tab current.
 */
@Injectable()
export class PlanPages {
  constructor(
    private readonly plans: PlansService,
    private readonly prisoners: PrisonersService,
    private readonly instruments: InstrumentsService,
  ) {}

  /** With `locale`, catalogue titles and level labels are in that language where translated. */
  async load(ctx: RequestContext, id: string, locale?: RuleSetLocale): Promise<PlanPage> {
    const plan = await this.plans.get(ctx, id);
    const prisoner = await this.prisoners.get(ctx, plan.prisonerId);
    const stored = plan.catalogue
      ? ((await this.readable(plan.catalogue.key, plan.catalogue.version)) as
          InterventionCatalogue | undefined)
      : undefined;
    const catalogue = stored && locale ? localizeCatalogue(stored, locale) : stored;
    let riskLevelLabel: string | null = plan.riskLevel ?? null;
    if (plan.riskAssessment && plan.riskLevel) {
      const instrument = (await this.readable(
        plan.riskAssessment.instrumentKey,
        plan.riskAssessment.instrumentVersion,
      )) as InstrumentDefinition | undefined;
      const shown = instrument && locale ? localizeInstrument(instrument, locale) : instrument;
      const levels = shown?.levels ?? [];
      riskLevelLabel = levels.find((l) => l.code === plan.riskLevel)?.label ?? plan.riskLevel;
    }
    return {
      plan,
      prisoner,
      catalogue,
      riskLevelLabel,
      titles: catalogue ? titlesOf(catalogue) : await this.catalogueTitles(locale),
      can: abilitiesFor(ctx, plan, prisoner),
    };
  }

  /**
   * The logistics view names interventions by catalogue code only: their titles come from the
   * imported catalogues (rule-set data, the same for everyone).
   */
  private async catalogueTitles(locale?: RuleSetLocale): Promise<Map<string, string>> {
    const titles = new Map<string, string>();
    for (const summary of await this.instruments.list()) {
      if (summary.kind !== 'intervention-catalogue') continue;
      const stored = (await this.readable(summary.key, summary.versions[0].version)) as
        InterventionCatalogue | undefined;
      const catalogue = stored && locale ? localizeCatalogue(stored, locale) : stored;
      for (const [code, title] of titlesOf(catalogue))
        if (!titles.has(code)) titles.set(code, title);
    }
    return titles;
  }

  /**
   * A version's definition as readers see it: its own text, with the translations it lacks
   * borrowed from other versions with the same text (InstrumentsService.readableDefinition).
   * Plan pages localize it (and termLabels again), so the borrowed text stays with it.
   */
  private async readable(key: string, version: string): Promise<RuleSetDefinition | undefined> {
    const found = await this.instruments.getVersion(key, version);
    return found && this.instruments.readableDefinition(found);
  }

  /** Staff who may be made responsible for interventions in the prisoner's facility. */
  staff(ctx: RequestContext, page: PlanPage) {
    return this.plans.staffOptions(ctx, page.prisoner.facility.id);
  }

  /**
   * A plan page in the prisoner's frame: `heading` is the page's h1, under the prisoner's name.
   * The plan's summary (status, refusals, return comments) comes with every page.
   */
  async render(
    reply: FastifyReply,
    request: FastifyRequest,
    ctx: RequestContext,
    page: PlanPage,
    template: string,
    heading: string,
    model: object = {},
    status = 200,
  ): Promise<void> {
    const state = request.uiPage!;
    const frame = prisonerFrame(page.prisoner, 'plan', ctx.ability, state.grants, state.t);
    return render(
      reply,
      template,
      {
        ...frame,
        currentTab: heading,
        plan: planModel(page, ctx.actor.id, state.t, state.locale),
        ...model,
      },
      status,
    );
  }

  /** A form page again with its errors (422): the summary links each to its field. */
  renderErrors(
    reply: FastifyReply,
    request: FastifyRequest,
    ctx: RequestContext,
    page: PlanPage,
    template: string,
    heading: string,
    model: object,
    errors: FieldError[],
    messages: FieldMessages,
  ): Promise<void> {
    const errorsModel = formErrors(request.uiPage!.t, errors, messages);
    return this.render(
      reply,
      request,
      ctx,
      page,
      template,
      heading,
      { ...model, errors: errorsModel },
      422,
    );
  }
}

function titlesOf(catalogue: InterventionCatalogue | undefined): Map<string, string> {
  return new Map((catalogue?.interventions ?? []).map((i) => [i.code, i.title]));
}

/** What the caller may do with this plan, by the same rules the services apply. */
function abilitiesFor(
  ctx: RequestContext,
  plan: PlanResponse,
  prisoner: PrisonerResponse,
): PlanAbilities {
  const fields = {
    id: plan.id,
    prisonerId: plan.prisonerId,
    facilityId: prisoner.facility.id,
    authorId: plan.author?.id,
    submittedBy: plan.submittedBy?.id ?? null,
  };
  const subject = asSubject('Plan', fields);
  const a = ctx.ability;
  const open = ['draft', 'pending_approval', 'active', 'suspended'].includes(plan.status);
  return {
    full: plan.view === 'full',
    editProgramme: open && a.can('update', subject, 'goals'),
    submit: plan.status === 'draft' && a.can('submit', subject),
    approve: plan.status === 'pending_approval' && a.can('approve', subject),
    resume: plan.status === 'suspended' && a.can('approve', subject),
    deliver:
      plan.status === 'active' &&
      a.can('create', asSubject('PlanDelivery', { ...fields, recordedBy: null })),
    review: ['active', 'suspended'].includes(plan.status) && a.can('review', subject),
    suspend: plan.status === 'active' && a.can('suspend', subject),
    complete: plan.status === 'active' && a.can('complete', subject),
    close: open && a.can('close', subject),
    approveRevision: a.can(
      'approve',
      asSubject('Plan', { ...fields, authorId: undefined, submittedBy: null }),
    ),
    withdrawRevision:
      a.can('submit', subject) || a.can('approve', subject) || a.can('update', subject, 'goals'),
  };
}
