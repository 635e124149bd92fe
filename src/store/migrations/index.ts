import { Initial1764201600000 } from './0001-initial.migration.js';
import { ProtocolSteps1764892800000 } from './0002-protocol-steps.migration.js';
import { ApiTokens1767225600000 } from './0003-api-tokens.migration.js';
import { CampaignLoop1767312000000 } from './0004-campaign-loop.migration.js';
import { InterlockTrips1767398400000 } from './0005-interlock-trips.migration.js';
import { EventByExperiment1767484800000 } from './0006-event-by-experiment.migration.js';

/** Every migration in order, registered as a class array. */
export const MIGRATIONS = [
  Initial1764201600000,
  ProtocolSteps1764892800000,
  ApiTokens1767225600000,
  CampaignLoop1767312000000,
  InterlockTrips1767398400000,
  EventByExperiment1767484800000,
];
