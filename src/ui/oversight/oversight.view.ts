import type { AuditTrailState } from '../../audit/audit-query.service.js';
import type { VerifyResult } from '../../audit/audit-verifier.js';
import type { EmergencyAccessResponse } from '../../emergency-access/dto/emergency-access.dto.js';
import type { ListedPlan } from '../../plans/plans.repository.js';
import type { DueItem } from '../../reviews/due-item.js';
import type { MessageKey, Translate } from '../i18n/catalogue.js';
import { DUE_KIND, DUE_REASON, dueHref } from '../home/due-items.view.js';
import { labelOf, PENDING_STATUS, PLAN_STATUS, STATUS_TAG } from '../plans/plan-labels.js';

const PROBLEM: Record<string, MessageKey> = {
  altered: 'oversight.verify.kind.altered',
  broken_link: 'oversight.verify.kind.broken_link',
  missing_before: 'oversight.verify.kind.missing_before',
  missing_newest: 'oversight.verify.kind.missing_newest',
  head_mismatch: 'oversight.verify.kind.head_mismatch',
  checkpoint_invalid: 'oversight.verify.kind.checkpoint_invalid',
  checkpoint_mismatch: 'oversight.verify.kind.checkpoint_mismatch',
};
export const OUTCOME: Record<string, MessageKey> = {
  success: 'oversight.audit.outcome.success',
  denied: 'oversight.audit.outcome.denied',
  error: 'oversight.audit.outcome.error',
};

const DAY = 86_400_000;

/** A plan or revision waiting for a supervisor's decision; four eyes decides who may take it. */
export function approvalRows(items: Omit<ListedPlan, 'cursorAt'>[], actorId: string, t: Translate) {
  return items.map((p) => {
    const revision = p.proposal?.status === 'submitted' ? p.proposal : null;
    const mine = revision
      ? [revision.authorId, revision.submittedById].includes(actorId)
      : [p.authorId, p.submittedById].includes(actorId);
    return {
      href: revision ? `/plans/${p.id}/pending-revision` : `/plans/${p.id}/approve`,
      prisonNumber: p.prisonNumber,
      prisonerName: p.prisonerName,
      what: revision
        ? t('oversight.approvals.revision', { revision: revision.revision })
        : t('oversight.approvals.plan'),
      status: revision
        ? labelOf(t, PENDING_STATUS, revision.status)
        : labelOf(t, PLAN_STATUS, p.status),
      statusClass: STATUS_TAG[revision ? 'submitted' : p.status] ?? '',
      author: p.authorName,
      submittedAt: p.submittedAt,
      updatedAt: p.updatedAt,
      mine,
    };
  });
}

/** A grant in a list: who, which prisoner, why, and whether it is still open. */
export function grantRows(items: EmergencyAccessResponse[], t: Translate) {
  return items.map((g) => ({
    href: `/oversight/emergency-access/${g.id}`,
    holder: g.user.displayName,
    username: g.user.username,
    prisonNumber: g.prisonNumber,
    reason: g.reason,
    grantedAt: g.grantedAt,
    expiresAt: g.expiresAt,
    state: g.active ? t('oversight.grants.live') : t('oversight.grants.ended'),
    stateClass: g.active ? 'govuk-tag--red' : 'govuk-tag--grey',
    outcome: g.outcome
      ? t(g.outcome === 'justified' ? 'oversight.grants.justified' : 'oversight.grants.unjustified')
      : '',
  }));
}

/** Overdue work, with how many days it is overdue and where. */
export function overdueRows(
  items: DueItem[],
  facilities: Map<string, string>,
  t: Translate,
  today: string,
) {
  return items.map((item) => {
    const days = Math.round((Date.parse(today) - Date.parse(item.dueDate)) / DAY);
    return {
      href: dueHref(item),
      prisonNumber: item.prisonNumber,
      prisonerName: item.prisonerName,
      what: labelOf(t, DUE_KIND, item.kind),
      why: labelOf(t, DUE_REASON, item.reason),
      instrumentKey: item.instrumentKey ?? '',
      facility: facilities.get(item.facilityId) ?? '',
      dueDate: item.dueDate,
      days,
      daysText: t('oversight.overdue.days', { count: days }),
    };
  });
}

/** The audit trail's state in words for the oversight home. */
export function trailState(state: AuditTrailState, t: Translate) {
  const v = state.lastVerification;
  return {
    headSeq: state.headSeq,
    lastEventAt: state.lastEventAt,
    lastCheckpoint: state.lastCheckpoint,
    verification: v && {
      at: v.at,
      by: v.by ?? '',
      ok: v.ok,
      text: v.ok
        ? t('oversight.trail.verifiedOk', { count: v.checked })
        : t('oversight.trail.verifiedProblems', {
            count: v.problemCount,
            seq: v.firstInvalidSeq ?? '',
          }),
    },
  };
}

/**
 * A verification's result in words: whether the trail is intact, and for each problem which
 * event (or checkpoint) and what is wrong with it.
 */
export function verificationModel(result: VerifyResult, t: Translate) {
  const checkedText = t('oversight.verify.ok', {
    checked: result.checked,
    chains: result.chains,
    checkpoints: result.checkpoints,
  });
  return {
    ok: result.ok,
    status: result.status,
    summary:
      result.status === 'tampered'
        ? t('oversight.verify.failed', { count: result.problemCount })
        : checkedText,
    scope:
      result.mode === 'incremental' && result.fromCheckpoint !== null
        ? t('oversight.verify.fromCheckpoint', { checkpoint: result.fromCheckpoint })
        : t('oversight.verify.whole'),
    untrustedKeys: result.untrustedKeys.map((k) =>
      t('oversight.verify.untrustedKey', { key: k.keyId, count: k.signatures }),
    ),
    checked: result.checked,
    headSeq: result.headSeq,
    chains: result.chains,
    checkpoints: result.checkpoints,
    lastCheckpoint: result.lastCheckpoint ?? null,
    problems: result.problems.map((p) => ({
      seq: p.seq,
      href:
        p.seq !== null && p.kind !== 'checkpoint_invalid' ? `/audit/events/${p.seq}` : undefined,
      where:
        p.kind === 'checkpoint_invalid' || p.kind === 'checkpoint_mismatch'
          ? t('oversight.verify.whereCheckpoint', {
              checkpoint: p.checkpoint ?? '',
              seq: p.seq ?? '',
            })
          : t('oversight.verify.whereEvent', { seq: p.seq ?? '', chain: p.chain ?? '' }),
      what: labelOf(t, PROBLEM, p.kind),
      kind: p.kind,
      detail: p.detail,
    })),
    more: result.problemCount > result.problems.length,
  };
}
