import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A lab, protocol or campaign file exactly as it was read, addressed by its SHA-256 (provenance). */
@Entity('document')
export class DocumentEntity {
  @PrimaryColumn('text') hash!: string;
  @Column('text') kind!: string;
  @Column('text') file!: string;
  @Column('text') text!: string;
  @Column('integer', { name: 'created_at' }) createdAt!: number;
}
