import { CampaignEntity } from './campaign.entity.js';
import { CommandEntity } from './command.entity.js';
import { DocumentEntity } from './document.entity.js';
import { EventEntity } from './event.entity.js';
import { ExperimentEntity } from './experiment.entity.js';
import { ObservationEntity } from './observation.entity.js';
import { StepEntity } from './step.entity.js';

/** Every entity, registered as a class array (file globs do not work under ESM). */
export const ENTITIES = [
  DocumentEntity,
  CampaignEntity,
  ExperimentEntity,
  CommandEntity,
  ObservationEntity,
  EventEntity,
  StepEntity,
];
export {
  CampaignEntity,
  CommandEntity,
  DocumentEntity,
  EventEntity,
  ExperimentEntity,
  ObservationEntity,
  StepEntity,
};
