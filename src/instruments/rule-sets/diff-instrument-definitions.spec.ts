import { describe, expect, it } from '@jest/globals';
import { diffInstrumentDefinitions } from './diff-instrument-definitions.js';
import { NEEDS_FILE, RISK_FILE, shippedInstrument } from './fixtures/shipped.js';

describe('diffInstrumentDefinitions', () => {
  it('finds nothing between a version and itself', async () => {
    const risk = await shippedInstrument(RISK_FILE);
    const diff = diffInstrumentDefinitions(risk, structuredClone(risk));
    expect(diff).toEqual({
      from: { key: 've-risk-spj', version: '1.0.0' },
      to: { key: 've-risk-spj', version: '1.0.0' },
      added: [],
      removed: [],
      changed: [],
      domains: { added: [], removed: [], changed: [] },
      rules: [],
      settings: [],
    });
  });

  it('lists items added, removed and changed field by field, including a move', async () => {
    const from = await shippedInstrument(RISK_FILE);
    const to = structuredClone(from);
    to.version = '1.1.0';
    to.domains[0].items[0].prompt = 'Endorses violence for a cause';
    to.domains[0].items[0].confidentiality = 'restricted';
    delete to.domains[0].items[0].need;
    const [moved] = to.domains[1].items.splice(5, 1);
    to.domains[3].items.push(moved);
    to.domains[2].items.splice(1, 1);
    to.domains[4].items.push({
      code: 'PF07',
      prompt: 'Is open with staff about their history',
      guidance: 'Rate honest engagement.',
      kind: 'protective',
      scale: 'strength',
      confidentiality: 'standard',
    });
    const diff = diffInstrumentDefinitions(from, to);
    expect(diff.to).toEqual({ key: 've-risk-spj', version: '1.1.0' });
    expect(diff.added).toEqual([
      {
        code: 'PF07',
        domain: 'PF',
        prompt: 'Is open with staff about their history',
        kind: 'protective',
      },
    ]);
    expect(diff.removed).toEqual([
      { code: 'HC02', domain: 'HC', prompt: from.domains[2].items[1].prompt, kind: 'risk' },
    ]);
    expect(diff.changed).toEqual([
      {
        code: 'BA01',
        changes: [
          {
            field: 'prompt',
            from: from.domains[0].items[0].prompt,
            to: 'Endorses violence for a cause',
          },
          { field: 'need', from: 'ideology', to: undefined },
          { field: 'confidentiality', from: 'standard', to: 'restricted' },
        ],
      },
      { code: 'SC06', changes: [{ field: 'domain', from: 'SC', to: 'CM' }] },
    ]);
    expect(diff.rules).toEqual([]);
    expect(diff.settings).toEqual([]);
  });

  it('reports domain, rule and settings changes with readable field paths', async () => {
    const from = await shippedInstrument(RISK_FILE);
    const to = structuredClone(from);
    to.domains[1].title = 'Social context';
    to.domains.push({ code: 'XX', title: 'Extra', items: [] });
    to.bands![0].when = 'risk.atLeast.high >= 7';
    to.flags = to.flags!.filter((flag) => flag.code !== 'coercion_concern');
    to.flags[0].severity = 'warning';
    to.review.intervals!.high = 'P2M';
    to.review.triggers[5].leadTime = 'P9M';
    to.status = 'retired';
    to.levels = [to.levels![1], to.levels![0], to.levels![2]];
    const diff = diffInstrumentDefinitions(from, to);
    expect(diff.domains).toEqual({
      added: [{ code: 'XX', title: 'Extra' }],
      removed: [],
      changed: [
        {
          code: 'SC',
          changes: [{ field: 'title', from: from.domains[1].title, to: 'Social context' }],
        },
      ],
    });
    expect(diff.rules).toEqual([
      { field: 'bands[0].when', from: from.bands![0].when, to: 'risk.atLeast.high >= 7' },
      { field: 'flags[coercion_concern]', from: from.flags![4], to: undefined },
      { field: 'flags[intent_with_capability].severity', from: 'critical', to: 'warning' },
    ]);
    expect(diff.settings).toEqual([
      { field: 'status', from: 'active', to: 'retired' },
      { field: 'levels#order', from: ['low', 'moderate', 'high'], to: ['moderate', 'low', 'high'] },
      { field: 'review.intervals.high', from: 'P3M', to: 'P2M' },
      { field: 'review.triggers[pre_release].leadTime', from: 'P6M', to: 'P9M' },
    ]);
  });

  it('does not modify its inputs', async () => {
    const from = await shippedInstrument(NEEDS_FILE);
    const to = structuredClone(from);
    to.domains[0].items[0].prompt = 'Changed';
    const before = JSON.stringify([from, to]);
    diffInstrumentDefinitions(from, to);
    expect(JSON.stringify([from, to])).toBe(before);
  });
});
