import type {
  InstrumentDefinition,
  InterventionCatalogue,
  RuleSetErrorCode,
  TranslationsByCode,
} from './rule-set.types.js';

type Report = (path: string, code: RuleSetErrorCode, message: string) => void;

function checkCodes(
  translated: Record<string, unknown> | undefined,
  known: Iterable<string>,
  path: string,
  what: string,
  report: Report,
): void {
  if (!translated) return;
  const codes = new Set(known);
  for (const code of Object.keys(translated))
    if (!codes.has(code))
      report(
        `${path}.${code}`,
        'unknown_translation_code',
        `${what} "${code}" is not in this rule-set, so its translation would never be shown`,
      );
}

function checkOwnLanguage(
  definition: { language?: string; translations?: object },
  report: Report,
): void {
  const own = definition.language ?? 'en';
  if (definition.translations && own in definition.translations)
    report(
      `translations.${own}`,
      'unknown_translation_code',
      `${own} is the rule-set's own language: its text is in the fields themselves, not in translations`,
    );
}

/** Translations are keyed by codes the instrument has; a missing entry simply falls back. */
export function checkInstrumentTranslations(
  instrument: InstrumentDefinition,
  report: Report,
): void {
  checkOwnLanguage(instrument, report);
  for (const [locale, t] of Object.entries(instrument.translations ?? {})) {
    const base = `translations.${locale}`;
    checkCodes(
      t.scales,
      instrument.scales.map((s) => s.code),
      `${base}.scales`,
      'scale',
      report,
    );
    for (const [code, scale] of Object.entries(t.scales ?? {})) {
      const own = instrument.scales.find((s) => s.code === code);
      if (own)
        checkCodes(
          scale.options,
          own.options.map((o) => o.code),
          `${base}.scales.${code}.options`,
          `option of scale ${code}`,
          report,
        );
    }
    checkCodes(
      t.levels,
      (instrument.levels ?? []).map((l) => l.code),
      `${base}.levels`,
      'level',
      report,
    );
    checkCodes(
      t.judgements,
      (instrument.judgements ?? []).map((j) => j.code),
      `${base}.judgements`,
      'judgement',
      report,
    );
    for (const [code, judgement] of Object.entries(t.judgements ?? {})) {
      const own = instrument.judgements?.find((j) => j.code === code);
      if (own)
        checkCodes(
          judgement.levels as TranslationsByCode | undefined,
          own.levels.map((l) => l.code),
          `${base}.judgements.${code}.levels`,
          `level of judgement ${code}`,
          report,
        );
    }
    checkCodes(
      t.domains,
      instrument.domains.map((d) => d.code),
      `${base}.domains`,
      'domain',
      report,
    );
    checkCodes(
      t.items,
      instrument.domains.flatMap((d) => d.items.map((i) => i.code)),
      `${base}.items`,
      'item',
      report,
    );
    checkCodes(
      t.flags,
      (instrument.flags ?? []).map((f) => f.code),
      `${base}.flags`,
      'flag',
      report,
    );
    checkCodes(
      t.needPriorities,
      (instrument.needPriorities?.priorities ?? []).map((p) => p.code),
      `${base}.needPriorities`,
      'need priority',
      report,
    );
  }
}

export function checkCatalogueTranslations(catalogue: InterventionCatalogue, report: Report): void {
  checkOwnLanguage(catalogue, report);
  for (const [locale, t] of Object.entries(catalogue.translations ?? {})) {
    const base = `translations.${locale}`;
    checkCodes(
      t.needs,
      catalogue.needs.map((n) => n.code),
      `${base}.needs`,
      'need',
      report,
    );
    checkCodes(
      t.interventions,
      catalogue.interventions.map((i) => i.code),
      `${base}.interventions`,
      'intervention',
      report,
    );
    for (const what of ['types', 'disciplines'] as const) {
      const declared = catalogue[what];
      const term = what === 'types' ? 'type' : 'discipline';
      if (declared)
        checkCodes(
          t[what],
          declared.map((d) => d.code),
          `${base}.${what}`,
          term,
          report,
        );
      else
        for (const code of Object.keys(t[what] ?? {}))
          report(
            `${base}.${what}.${code}`,
            'unknown_translation_code',
            `${term} "${code}" is not declared in ${what}: the catalogue declares none, and the default ${what} are named by the service's own messages, so this translation would never be shown`,
          );
    }
  }
}
