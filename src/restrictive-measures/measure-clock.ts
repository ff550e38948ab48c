import { Injectable } from '@nestjs/common';

/** Today's date (UTC) for counting days of a measure; tests move it. */
@Injectable()
export class MeasureClock {
  today(): string {
    return new Date().toISOString().slice(0, 10);
  }
}
