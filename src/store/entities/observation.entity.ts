import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What the analyzers derived from one experiment, as told to the strategy. */
@Entity('observation')
export class ObservationEntity {
  @PrimaryColumn('text', { name: 'experiment_id' }) experimentId!: string;
  @Column('text', { name: 'campaign_id' }) campaignId!: string;
  /** JSON: objective name → { mean, sem? }. */
  @Column('text') values!: string;
  @Column('integer', { name: 'created_at' }) createdAt!: number;
}
