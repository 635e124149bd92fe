import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ExperimentStatus } from '../../campaign/campaign-states.js';

@Entity('experiment')
@Index(['campaignId', 'seq'], { unique: true })
export class ExperimentEntity {
  @PrimaryColumn('text') id!: string;
  @Column('text', { name: 'campaign_id' }) campaignId!: string;
  /** 1, 2, 3 … within the campaign, in the order the strategy proposed them. */
  @Column('integer') seq!: number;
  @Column('text', { name: 'suggestion_id' }) suggestionId!: string;
  /** design (the strategy's), control (the incumbent again) or rerun (after a crash or an aborting interlock interrupted it). */
  @Column('text', { default: 'design' }) kind!: string;
  /** JSON object: protocol input name → value. */
  @Column('text') params!: string;
  @Column('text') status!: ExperimentStatus;
  @Column('text', { nullable: true }) reason!: string | null;
  @Column('integer', { name: 'created_at' }) createdAt!: number;
  @Column('integer', { name: 'started_at', nullable: true }) startedAt!: number | null;
  @Column('integer', { name: 'finished_at', nullable: true }) finishedAt!: number | null;
}
