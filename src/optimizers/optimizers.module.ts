/** Strategies behind the ask/tell port. */
import { Module } from '@nestjs/common';
import { StrategyRegistry } from './strategy-registry.service.js';

@Module({ providers: [StrategyRegistry], exports: [StrategyRegistry] })
export class OptimizersModule {}
