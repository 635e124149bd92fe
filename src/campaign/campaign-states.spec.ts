import {
  assertCampaignTransition,
  assertExperimentTransition,
  CAMPAIGN_STATUSES,
  canTransitionCampaign,
  isTerminalCampaign,
} from './campaign-states.js';

describe('state tables', () => {
  it('allows the documented campaign transitions', () => {
    expect(() => assertCampaignTransition('draft', 'running')).not.toThrow();
    expect(() => assertCampaignTransition('running', 'paused')).not.toThrow();
    expect(() => assertCampaignTransition('paused', 'running')).not.toThrow();
    expect(() => assertCampaignTransition('running', 'held')).not.toThrow();
    expect(() => assertCampaignTransition('held', 'running')).not.toThrow();
  });

  it('throws ILLEGAL_TRANSITION for anything else', () => {
    expect(() => assertCampaignTransition('completed', 'running')).toThrow(
      'a campaign cannot go from completed to running',
    );
    let thrown: unknown;
    try {
      assertCampaignTransition('held', 'paused');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    expect(() => assertExperimentTransition('completed', 'running')).toThrow(
      'an experiment cannot go from completed to running',
    );
    expect(() => assertExperimentTransition('designed', 'completed')).toThrow();
  });

  it('has no way out of a terminal campaign state', () => {
    for (const from of CAMPAIGN_STATUSES.filter(isTerminalCampaign)) {
      for (const to of CAMPAIGN_STATUSES) expect(canTransitionCampaign(from, to)).toBe(false);
    }
  });
});
