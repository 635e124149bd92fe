import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type CommandStatus = 'pending' | 'done' | 'failed' | 'rejected' | 'timeout';

/** One message to an instrument. Stored before it is published; its id makes a re-send idempotent. */
@Entity('command')
@Index(['experimentId', 'step', 'attempt'], { unique: true })
export class CommandEntity {
  @PrimaryColumn('text') id!: string;
  @Column('text', { name: 'experiment_id' }) experimentId!: string;
  /** The protocol step this command carries out. */
  @Column('text') step!: string;
  @Column('integer') attempt!: number;
  @Column('text') instrument!: string;
  @Column('text') action!: string;
  @Column('text') params!: string;
  /** Lab time (ms) after which the instrument must refuse it. */
  @Column('integer') deadline!: number;
  @Column('text') status!: CommandStatus;
  @Column('text', { nullable: true }) result!: string | null;
  @Column('text', { nullable: true }) error!: string | null;
  /** How many times it was published (a re-send after a reconnect or restart adds one). */
  @Column('integer') sends!: number;
  @Column('integer', { name: 'created_at' }) createdAt!: number;
  @Column('integer', { name: 'finished_at', nullable: true }) finishedAt!: number | null;
}
