import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { CampaignStatus } from '../../campaign/campaign-states.js';

@Entity('campaign')
export class CampaignEntity {
  @PrimaryColumn('text') id!: string;
  @Column('text') name!: string;
  @Column('text') status!: CampaignStatus;
  @Column('text', { nullable: true }) reason!: string | null;
  /** Content hashes into `document`: the campaign file and the lab file it ran against, exactly as read. */
  @Column('text', { name: 'spec_hash' }) specHash!: string;
  @Column('text', { name: 'lab_hash' }) labHash!: string;
  @Column('text', { name: 'spec_file' }) specFile!: string;
  @Column('text', { name: 'lab_file' }) labFile!: string;
  /** The protocol file the campaign named (null when the protocol is written inside the campaign). */
  @Column('text', { name: 'protocol_hash', nullable: true }) protocolHash!: string | null;
  @Column('text', { name: 'protocol_file', nullable: true }) protocolFile!: string | null;
  @Column('integer') seed!: number;
  @Column('integer', { name: 'created_at' }) createdAt!: number;
  @Column('integer', { name: 'updated_at' }) updatedAt!: number;
}
