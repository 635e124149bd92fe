/** Checks the database at boot (settings) and on demand (can it take a write now?). */
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { checkPragmas, isWritable, nativeDatabase } from './sqlite-connection.js';

@Injectable()
export class StoreHealth implements OnModuleInit {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    checkPragmas(nativeDatabase(this.dataSource));
  }

  writable(): boolean {
    return this.dataSource.isInitialized && isWritable(nativeDatabase(this.dataSource));
  }

  file(): string {
    return String(this.dataSource.options.database);
  }
}
