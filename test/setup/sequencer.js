// The browser journeys (test/ui) are the longest files by far. Jest orders files by the times of
// its last run, or by file size when it has none (a fresh clone, a new file), and the journeys are
// small files: started last, one of them would run alone while the other worker sits idle. So
// they start first, the longest first, and everything else follows in Jest's own order.
import Sequencer from '@jest/test-sequencer';

const journey = (test) => /[\\/]test[\\/]ui[\\/]/.test(test.path);

export default class JourneysFirst extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const journeys = sorted.filter(journey);
    return [...journeys, ...sorted.filter((test) => !journey(test))];
  }
}
