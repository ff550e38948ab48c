import { Module } from '@nestjs/common';
import { InstrumentsModule } from '../instruments/instruments.module.js';
import { DemoSeed } from './demo-seed.service.js';

@Module({ imports: [InstrumentsModule], providers: [DemoSeed], exports: [DemoSeed] })
export class DemoModule {}
