// Random container names in podman's adjective_noun style (our own word lists).
import { randomInt } from '../../storage/random.js';

const adjectives = [
  'amber', 'brave', 'calm', 'clever', 'cosmic', 'crisp', 'daring', 'eager', 'fancy', 'gentle', 'happy', 'jolly',
  'keen', 'lively', 'lucid', 'mellow', 'nimble', 'noble', 'patient', 'quiet', 'rapid', 'serene', 'sharp', 'snug',
  'steady', 'sunny', 'swift', 'tidy', 'vivid', 'witty', 'zesty', 'bold',
];
const nouns = [
  'otter', 'falcon', 'badger', 'heron', 'lynx', 'marten', 'osprey', 'puffin', 'raven', 'salmon', 'walrus', 'wombat',
  'alder', 'birch', 'cedar', 'maple', 'willow', 'aspen', 'comet', 'nebula', 'quasar', 'pulsar', 'meteor', 'harbor',
  'canyon', 'glacier', 'lagoon', 'meadow', 'summit', 'tundra', 'delta', 'fjord',
];

export function randomContainerName(): string {
  return `${adjectives[randomInt(adjectives.length)]}_${nouns[randomInt(nouns.length)]}`;
}
