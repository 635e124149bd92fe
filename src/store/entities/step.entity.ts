import { Column, Entity, PrimaryColumn } from 'typeorm';

export type StepStatus = 'running' | 'done' | 'skipped' | 'failed' | 'held';

/**
 * One leaf step of an experiment (an action, a wait, a read, a manual step) or one control decision (the branch an
 * `if` took, the items a `repeat` ran over), by the step's stable key. Written before and after it acts.
 */
@Entity('step')
export class StepEntity {
  @PrimaryColumn('text', { name: 'experiment_id' }) experimentId!: string;
  @PrimaryColumn('text') key!: string;
  @Column('text') kind!: string;
  @Column('text') status!: StepStatus;
  /** Attempts started so far (a failure policy may retry). */
  @Column('integer') attempts!: number;
  /** Lab time the current attempt started: waits and timeouts count from here after a restart. */
  @Column('integer', { name: 'started_at' }) startedAt!: number;
  @Column('integer', { name: 'finished_at', nullable: true }) finishedAt!: number | null;
  /** JSON: what it produced (results, the measured value, the decision, an operator's confirmation). */
  @Column('text', { nullable: true }) result!: string | null;
  @Column('text', { nullable: true }) error!: string | null;
  /** JSON: what it asked for (a manual step's prompt). */
  @Column('text', { nullable: true }) detail!: string | null;
}
