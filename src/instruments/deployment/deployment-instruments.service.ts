import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import type { InstrumentDefinition, InterventionCatalogue } from '../rule-sets/rule-set.types.js';
import {
  checkInstrumentChoices,
  formatChoice,
  inRange,
  INSTRUMENT_USES,
  parseInstrumentChoice,
  type InstrumentChoice,
  type InstrumentUse,
} from './instrument-choice.js';

/** The configuration names an instrument or judgement the imported rule-sets do not have. */
export class InstrumentDeploymentError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `The instruments this deployment is configured to use do not match the imported rule-sets:\n` +
        problems.map((p) => `  ${p}`).join('\n'),
    );
    this.name = 'InstrumentDeploymentError';
  }
}

/** A configured choice with the imported versions it covers. */
export interface ResolvedChoice extends InstrumentChoice {
  versions: string[];
}

/**
 * Which instrument (and judgement) the deployment uses for plan intensity, plan needs, the
 * intake due item and the risk timeline (INSTRUMENT_FOR_* in the environment). Unset: the
 * behaviour without configuration (the catalogue's `intensityFrom`, else any risk instrument).
 */
@Injectable()
export class DeploymentInstruments {
  private readonly choices: Partial<Record<InstrumentUse, InstrumentChoice>> = {};

  constructor(
    config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    for (const use of Object.keys(INSTRUMENT_USES) as InstrumentUse[]) {
      const choice = parseInstrumentChoice(config.env[INSTRUMENT_USES[use]]);
      if (choice) this.choices[use] = choice;
    }
  }

  choice(use: InstrumentUse): InstrumentChoice | undefined {
    return this.choices[use];
  }

  /** The configured choice with the imported versions in its range, or undefined when unset. */
  async resolve(
    use: InstrumentUse,
    m: EntityManager = this.dataSource.manager,
  ): Promise<ResolvedChoice | undefined> {
    const choice = this.choices[use];
    if (!choice) return undefined;
    const rows: { version: string }[] = await m.query(
      `SELECT version FROM instrument_version WHERE kind = 'instrument' AND key = $1`,
      [choice.key],
    );
    return { ...choice, versions: rows.map((r) => r.version).filter((v) => inRange(choice, v)) };
  }

  /** What start-up logs: each use and the instrument it is configured with. */
  describe(): Record<string, string> {
    return Object.fromEntries(
      Object.entries(this.choices).map(([use, choice]) => [use, formatChoice(choice)]),
    );
  }

  /** Start-up, after the rule-sets are imported: refuses a configuration they cannot serve. */
  async check(): Promise<void> {
    if (Object.keys(this.choices).length === 0) return;
    const rows: {
      key: string;
      version: string;
      content: InstrumentDefinition | InterventionCatalogue;
    }[] = await this.dataSource.query(
      `SELECT key, version, content FROM instrument_version WHERE status <> 'retired'`,
    );
    const problems = checkInstrumentChoices(
      this.choices,
      rows.map((r) => ({ key: r.key, version: r.version, definition: r.content })),
    );
    if (problems.length > 0) throw new InstrumentDeploymentError(problems);
  }
}
