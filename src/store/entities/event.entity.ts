import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** The append-only event log (triggers refuse updates and deletes). */
@Entity('event')
export class EventEntity {
  @PrimaryGeneratedColumn('increment') id!: number;
  @Column('integer') ts!: number;
  @Column('text') type!: string;
  @Column('text', { name: 'campaign_id', nullable: true }) campaignId!: string | null;
  @Column('text', { name: 'experiment_id', nullable: true }) experimentId!: string | null;
  @Column('text') data!: string;
}
